//! Streaming CSV exports. A handler checks the scope, takes a permit (at most
//! [`MAX_CONCURRENT`] exports run at once per process; past that 503 `server_busy` with
//! `Retry-After`), and answers with a body stream that owns everything the export needs: a
//! pooled connection, the query's `load_stream` and the permit. Rows are written into chunks of
//! about [`CHUNK_BYTES`] and handed over a small bounded channel polled by the same body
//! stream, so memory stays flat whatever the row count: the query reads as fast as the client
//! takes the bytes. A client that goes away drops the stream, which returns the connection and
//! the permit. An error after the first byte can only cut the response short (it is logged).

use std::io;
use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;
use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel_async::RunQueryDsl;
use futures_util::{FutureExt, StreamExt, TryStreamExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use super::csv_cells::{BOM, neutralise};
use crate::db::DbPool;
use crate::http::{AppError, AppResult};

/// Exports running at once in one process.
pub const MAX_CONCURRENT: usize = 4;
/// A chunk is sent once it holds this much.
pub const CHUNK_BYTES: usize = 32 * 1024;

/// The reports' shared state: the export permits.
#[derive(Clone)]
pub struct Exports {
    permits: Arc<Semaphore>,
}

impl Default for Exports {
    fn default() -> Self {
        Exports {
            permits: Arc::new(Semaphore::new(MAX_CONCURRENT)),
        }
    }
}

impl Exports {
    /// A permit, or 503 `server_busy` when [`MAX_CONCURRENT`] exports are running.
    pub fn try_start(&self) -> AppResult<OwnedSemaphorePermit> {
        self.permits
            .clone()
            .try_acquire_owned()
            .map_err(|e| AppError::server_busy(e).with_retry_after(5))
    }
}

/// A row of an export: its cells in header order (not yet neutralised).
pub trait CsvRow: QueryableByName<Pg> + Send + 'static {
    const HEADER: &'static [&'static str];
    fn cells(self) -> Vec<String>;
}

pub type Query = BoxedSqlQuery<'static, Pg, SqlQuery>;

/// The streaming response: `attachment; filename=...`, UTF-8 with a BOM, no-store.
pub fn respond<R: CsvRow>(
    pool: DbPool,
    permit: OwnedSemaphorePermit,
    filename: &str,
    query: Query,
) -> HttpResponse {
    let (tx, rx) = mpsc::channel::<Result<Bytes, io::Error>>(4);
    let producer = async move {
        let _permit = permit;
        if let Err(e) = produce::<R>(pool, query, &tx).await {
            tracing::error!(error = %format!("{e:#}"), "export failed mid-stream");
            let _ = tx.send(Err(io::Error::other("export failed"))).await;
        }
    };
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    // The producer yields nothing itself; polling it beside the channel runs the query in
    // this body stream, and the stream ends when both have.
    let runner = producer
        .into_stream()
        .filter_map(|()| std::future::ready(None::<Result<Bytes, io::Error>>));
    let body = futures_util::stream::select(runner, chunks);
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}

async fn produce<R: CsvRow>(
    pool: DbPool,
    query: Query,
    tx: &mpsc::Sender<Result<Bytes, io::Error>>,
) -> anyhow::Result<()> {
    let mut conn = pool.get().await?;
    let mut rows = query.load_stream::<R>(&mut *conn).await?;
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    w.write_record(R::HEADER)?;
    while let Some(row) = rows.try_next().await? {
        w.write_record(row.cells().into_iter().map(neutralise))?;
        if w.get_ref().len() >= CHUNK_BYTES {
            let chunk = std::mem::replace(&mut w, csv::Writer::from_writer(Vec::new()));
            let chunk = chunk.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
            if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                return Ok(()); // the client went away
            }
        }
    }
    let rest = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    if !rest.is_empty() {
        let _ = tx.send(Ok(Bytes::from(rest))).await;
    }
    Ok(())
}
