//! Integration tests of the template evaluator through its public API.

mod client_config;
mod coffer_template;
mod conditions;
mod errors;
mod intrinsics;
mod ordering;
mod parameters;
mod support;
