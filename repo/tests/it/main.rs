//! The `tokenspec-repo` crate's one integration-test binary.

mod doc_blocks;
mod render_golden;
mod workflows_hostile;
