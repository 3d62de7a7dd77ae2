//! Identity-pool credentials, files and uploads against the local cloud in-process, over real
//! loopback HTTP with the official SDKs. Keychain entries go to a `MemoryStore`.

mod adopt;
mod faults;
mod files;
mod identity;
mod no_replace;
mod support;
mod upload;
