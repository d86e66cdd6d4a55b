//! Statements built before the transaction that runs them.
//!
//! On SQLite every write waits for the one writer, and a transaction holds it from `BEGIN`
//! to `COMMIT`. Encoding a job's rows (documents to text, thousands of bound values) inside
//! the transaction kept the writer idle between statements; building them first leaves
//! the transaction nothing to do but run them.

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::{Any, Arguments, Encode, Type};

use crate::Result;

/// One statement with its bound values.
pub(crate) struct Prepared {
    sql: String,
    args: AnyArguments<'static>,
}

impl Prepared {
    pub(crate) fn new(sql: String) -> Prepared {
        Prepared {
            sql,
            args: AnyArguments::default(),
        }
    }

    /// Bind the next parameter.
    pub(crate) fn bind<T>(mut self, value: T) -> Result<Prepared>
    where
        T: 'static + Encode<'static, Any> + Type<Any>,
    {
        self.args.add(value).map_err(sqlx::Error::Encode)?;
        Ok(self)
    }

    pub(crate) async fn execute(self, conn: &mut sqlx::AnyConnection) -> Result<AnyQueryResult> {
        Ok(sqlx::query_with(&self.sql, self.args).execute(conn).await?)
    }

    pub(crate) async fn fetch_all(self, conn: &mut sqlx::AnyConnection) -> Result<Vec<AnyRow>> {
        Ok(sqlx::query_with(&self.sql, self.args)
            .fetch_all(conn)
            .await?)
    }
}
