//! The `genesys-scim-mock` binary: the command line lives in the library
//! (`genesys_scim_mock::cli`), so this crate is one call.

/// jemalloc rather than the system allocator: the journal and every answer free on one worker
/// thread what the other allocated, which glibc's malloc serializes on the owning arena's
/// lock (and consolidates its fast bins on every larger request). Measured in the same minutes
/// on 100,000 users: PATCH ×2.2, POST ×1.4, a page of 25 ×1.3 in requests per second, and 70
/// fewer bytes per loaded user; idle RSS 8.5 MB instead of 7.5 (docs/benchmarks.md,
/// "Allocator"). The library leaves the allocator to whoever embeds it. jemalloc does not build
/// for MSVC, so the Windows binary keeps the system allocator.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    genesys_scim_mock::cli::main()
}
