//! `/users` and `/groups`: the directory that workflows act on.

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;

macro_rules! todo_route {
    ($($name:ident),*) => {$(
        pub async fn $name(_ctx: Ctx) -> Result<Reply, ApiError> {
            Err(ApiError::NotImplemented("directory".into()))
        }
    )*};
}

todo_route!(
    list_users_route,
    create_user_route,
    count_users_route,
    get_user_route,
    update_user_route,
    delete_user_route,
    get_manager_route,
    set_manager_route,
    remove_manager_route,
    list_direct_reports_route,
    list_member_of_route,
    list_groups_route,
    create_group_route,
    count_groups_route,
    get_group_route,
    update_group_route,
    delete_group_route,
    list_members_route,
    count_members_route,
    add_member_route,
    remove_member_route
);
