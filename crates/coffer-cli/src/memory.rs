//! Process-wide memory tuning for client commands.
//!
//! glibc gives each thread that allocates its own malloc arena, up to eight per core, and
//! keeps freed memory in them. An upload reads its file on tokio's blocking pool, whose
//! threads come and go, so every part could land in a fresh arena and peak RSS crept up with
//! the file's size (measured on a 2-core machine: 29 MiB for 256 MiB, 34 MiB for 1 GiB). Two
//! arenas are plenty for an IO-bound client and keep the peak flat (26 and 27 MiB). The local
//! cloud server, which serves many clients at once, keeps glibc's default.

/// Caps glibc's malloc arenas at two. Call before any other thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn cap_malloc_arenas() {
    // SAFETY: mallopt only sets a tuning parameter of the allocator; called from main before
    // the runtime starts any thread, so no allocation races it. A refusal (returns 0) just
    // leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Other allocators need no tuning.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn cap_malloc_arenas() {}
