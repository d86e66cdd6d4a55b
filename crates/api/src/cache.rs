//! Cached GET responses, valid while the tenant's data stands still.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

/// GET responses of cacheable operations, valid while the tenant's write counter stands still
/// (SQLite only: there this process sees every write).
#[derive(Default)]
pub(crate) struct ResponseCache {
    entries: Mutex<HashMap<CacheKey, (u64, Bytes)>>,
}

#[derive(Hash, PartialEq, Eq)]
pub(crate) struct CacheKey {
    pub(crate) tenant: String,
    pub(crate) uri: String,
    pub(crate) host: String,
    pub(crate) evolvable: bool,
    pub(crate) permissions: u64,
}

const CACHE_LIMIT: usize = 4096;

impl ResponseCache {
    pub(crate) fn get(&self, key: &CacheKey, generation: u64) -> Option<Bytes> {
        let map = self.entries.lock().ok()?;
        map.get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, b)| b.clone())
    }

    pub(crate) fn put(&self, key: CacheKey, generation: u64, body: Bytes) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= CACHE_LIMIT {
                map.clear();
            }
            map.insert(key, (generation, body));
        }
    }
}
