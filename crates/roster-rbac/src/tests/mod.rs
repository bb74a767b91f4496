//! Cross-module tests: the role × object × action matrix and the property tests.

mod fixtures;
mod matrix;
mod props;
mod subject;
