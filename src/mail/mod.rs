//! TEMPORARY interface shim while the mail subsystem lands on branch `mail`; replaced by it.
pub mod templates;

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

pub use templates::RenderedMail;

pub async fn enqueue(_conn: &mut AsyncPgConnection, _mail: &RenderedMail) -> QueryResult<Uuid> {
    Ok(Uuid::new_v4())
}
