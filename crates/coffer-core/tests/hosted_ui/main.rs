//! The hosted-UI sign-in over loopback: the real local cloud, the real one-shot listener, and
//! reqwest standing in for the browser. One test binary, modules per area.

mod attacks;
mod scopes;
mod support;
mod valid;
