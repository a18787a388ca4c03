//! The transfer engine: a queue of [`Job`]s in, a stream of [`TransferEvent`]s out.
//!
//! A small pool of worker threads, each with its own FTP connection (separate from the browsing
//! session), pulls jobs from one queue. Directory jobs expand into child jobs. Usable without the
//! UI: the tests and the benchmarks drive it through its channel.

mod copy;
mod download;
mod event;
mod expand;
mod job;
pub mod limit;
mod local_task;
mod pool;
mod progress;
mod run;
#[cfg(target_os = "linux")]
mod splice;
mod task;
mod upload;
pub mod verify;
mod worker;

pub use event::{FileFacts, Outcome, TaskError, TransferEvent};
pub use job::{Direction, Job, JobId, JobKind, Resolution, Task, numbered_name};
pub use pool::{PoolOptions, Spare, TransferCmd, spawn};
pub use task::dir_mode;
