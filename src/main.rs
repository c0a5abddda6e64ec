//! The `genesys-scim-mock` binary: the command line lives in the library
//! (`genesys_scim_mock::cli`), so this crate is one call.

fn main() -> std::process::ExitCode {
    genesys_scim_mock::cli::main()
}
