//! The import rules of the library, checked from its source: no top-level module imports one
//! above it in [`LAYERS`], and no two files import each other, directly or around a circle.
//!
//! [`LAYERS`] is the one place the layer order is written down. A new top-level module must
//! be added to it (the test says so), at the lowest place whose imports it satisfies. What
//! counts as an import: a `crate::…` path (in a `use` or inline), a `super::…` path, and a
//! path through a child module the file declares (`pub use engine::Firing` in a `mod.rs`).
//! `mod` declarations themselves, comments, and `#[cfg(test)] mod tests` blocks (and the
//! `tests*.rs` files they load) do not count: tests may reach anywhere.
//!
//! A module's root file (`mod.rs`) may reach into its own submodules (to re-export them or to
//! dispatch to them) while they use what it defines: that is containment, the shape every
//! Rust module tree has, and is not counted as a circle. Every other pair of files that
//! import each other, siblings included, is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The parts of the library, lowest first. A part may import only parts listed before it (and
/// itself). A part is a top-level module (`scim`) or, where one folder of the tree spans layers,
/// a module inside it (`edge::response` sits below the error type, `edge::listener` above the
/// pipeline); a file belongs to the longest entry that is a prefix of its module path.
const LAYERS: &[&str] = &[
    // Leaves: time, randomness, secrets, strict JSON, the HTTP client.
    "base",
    // The switch table and one layer of it; the names of the rate limits (what fixtures and
    // the domain configure, below the limiter that counts them).
    "compat",
    "ratelimit::layer",
    // The response body type and its helpers; the Host names answered.
    "edge::response",
    "edge::allowed_hosts",
    // The one error type (it renders every shape).
    "error",
    // Reading a request body within its bounds.
    "edge::body",
    // Protocol, then domain, then storage, then what fills storage from fixture files.
    "scim",
    "genesys",
    "store",
    "seed",
    // End-state expectations over the store.
    "control::expect",
    // The pipeline's low half: routing and the request context.
    "pipeline::route",
    "pipeline::context",
    // Socket faults, the journal, the report over it, rate limits and scenarios.
    "edge::fault",
    "control::journal",
    "control::report",
    "ratelimit",
    "control::scenario",
    // Configuration gathers the settings of everything above; the state holds it all.
    "config",
    "state",
    // What answers requests, the admin API, then what routes them, then the socket.
    "api",
    "control::admin",
    "pipeline::dispatch",
    "edge::listener",
    // Embedding: one way to start a server, and the test handle.
    "embed",
    // The command line: every subcommand, for the binary's one call.
    "cli",
];

/// The index in [`LAYERS`] of the part a module belongs to: its longest listed prefix.
fn part_of(module: &[String]) -> Option<usize> {
    LAYERS
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let parts: Vec<&str> = l.split("::").collect();
            parts.len() <= module.len() && parts.iter().zip(module).all(|(a, b)| a == b)
        })
        .max_by_key(|(_, l)| l.len())
        .map(|(i, _)| i)
}

/// One source file: its module path (`["scenario", "engine"]`) and its non-test text.
struct Source {
    module: Vec<String>,
    code: String,
}

fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text that counts: comments removed, and each `#[cfg(test)]` item skipped (a test module,
/// or a test-only function or field), wherever it stands in the file.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    // Inside a `#[cfg(test)]` item: whether it has a body in braces (known at its first
    // line), and the brace depth reached.
    let mut skipping: Option<(Option<bool>, i32)> = None;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        // A trailing comment; `://` is a URL in a string, not a comment.
        let code = match line.find("//") {
            Some(i) if !line[..i].ends_with(':') => &line[..i],
            _ => line,
        };
        if t.starts_with("#[cfg(test)]") {
            skipping = Some((None, 0));
            continue;
        }
        if let Some((braced, depth)) = skipping.as_mut() {
            // Other attributes come before the item.
            if t.starts_with("#[") && braced.is_none() {
                continue;
            }
            // A function, module or type has a body in braces, however many lines its
            // signature takes; a field, `use` or `mod x;` ends at its `,` or `;`.
            let has_body = *braced.get_or_insert_with(|| {
                let head = code.trim_end();
                head.contains('{')
                    || (!head.ends_with(';')
                        && ["fn ", "impl", "mod ", "struct ", "enum ", "trait "]
                            .iter()
                            .any(|k| head.contains(k)))
            });
            *depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
            let ended = if has_body {
                *depth <= 0 && code.contains('}')
            } else {
                code.trim_end().ends_with([';', ','])
            };
            if ended {
                skipping = None;
            }
            continue;
        }
        out.push_str(code);
        out.push('\n');
    }
    out
}

fn sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|f| {
            let name = f.file_name().unwrap_or_default().to_string_lossy();
            name != "main.rs" && !name.starts_with("tests")
        })
        .map(|f| Source {
            module: module_path(&src, &f),
            code: code_of(&std::fs::read_to_string(&f).expect("read source")),
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths a `use` tree or an inline path names, starting at `text` (just after `prefix::`),
/// expanded through braces: `a::{b, c::d}` gives `[a, b]` and `[a, c, d]`.
fn paths_from(text: &str) -> Vec<Vec<String>> {
    fn tree(s: &[char], i: &mut usize, base: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = base;
        loop {
            while *i < s.len() && s[*i].is_whitespace() {
                *i += 1;
            }
            if *i < s.len() && s[*i] == '{' {
                *i += 1;
                loop {
                    tree(s, i, path.clone(), out);
                    while *i < s.len() && s[*i].is_whitespace() {
                        *i += 1;
                    }
                    if *i < s.len() && s[*i] == ',' {
                        *i += 1;
                        continue;
                    }
                    if *i < s.len() && s[*i] == '}' {
                        *i += 1;
                    }
                    return;
                }
            }
            let start = *i;
            while *i < s.len() && is_ident(s[*i]) {
                *i += 1;
            }
            if start == *i {
                out.push(path);
                return;
            }
            path.push(s[start..*i].iter().collect());
            if s.get(*i) == Some(&':') && s.get(*i + 1) == Some(&':') {
                *i += 2;
                continue;
            }
            out.push(path);
            return;
        }
    }
    let chars: Vec<char> = text.chars().take(4_000).collect();
    let mut out = Vec::new();
    tree(&chars, &mut 0, Vec::new(), &mut out);
    out
}

/// Every module path `code` refers to, made absolute from `module` (the file's own path).
fn references(module: &[String], code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(pos) = code[at..].find("::") {
        let end = at + pos;
        at = end + 2;
        let mut start = end;
        while start > 0 && is_ident(bytes[start - 1] as char) {
            start -= 1;
        }
        if start > 0 && bytes[start - 1] == b':' {
            continue; // the middle of a longer path, seen from its start
        }
        let head = &code[start..end];
        let base: Vec<String> = match head {
            "crate" => Vec::new(),
            "super" => {
                // `super` of a file's module; `super::super` is walked below.
                let mut m = module.to_vec();
                m.pop();
                m
            }
            "self" => module.to_vec(),
            h if children.contains(h) => {
                let mut m = module.to_vec();
                m.push(h.to_owned());
                m
            }
            _ => continue,
        };
        for mut tail in paths_from(&code[at..]) {
            let mut b = base.clone();
            while tail.first().is_some_and(|t| t == "super") {
                tail.remove(0);
                b.pop();
            }
            b.extend(tail);
            out.push(b);
        }
    }
    out
}

/// The child modules a file declares (`mod x;`, `pub mod x;`, `pub(crate) mod x;`).
fn children(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l
                .strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("pub(crate) mod "))
                .or_else(|| l.strip_prefix("mod "))?;
            let name = rest.strip_suffix(';')?;
            name.chars().all(is_ident).then(|| name.to_owned())
        })
        .collect()
}

/// The file a module path lands in: the longest prefix that is a file's module.
fn resolve<'a>(path: &[String], files: &'a BTreeMap<Vec<String>, usize>) -> Option<&'a usize> {
    (1..=path.len())
        .rev()
        .find_map(|n| files.get(&path[..n].to_vec()))
}

/// File index → the files it imports.
fn graph(sources: &[Source]) -> Vec<BTreeSet<usize>> {
    let files: BTreeMap<Vec<String>, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.module.clone(), i))
        .collect();
    sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            references(&s.module, &s.code, &children(&s.code))
                .iter()
                .filter_map(|p| resolve(p, &files).copied())
                .filter(|&j| j != i && !contains(&s.module, &sources[j].module))
                .collect()
        })
        .collect()
}

/// Whether `inner` is a submodule of `outer` (a module root reaching into its own tree).
fn contains(outer: &[String], inner: &[String]) -> bool {
    inner.len() > outer.len() && inner.starts_with(outer)
}

fn name(s: &Source) -> String {
    if s.module.is_empty() {
        "lib".to_owned()
    } else {
        s.module.join("::")
    }
}

/// Whether a module is a folder whose files sit in several layers (`edge`): its root only
/// declares them, and has no layer of its own.
fn spans(module: &[String]) -> bool {
    LAYERS.iter().any(|l| {
        l.split("::").count() > module.len() && l.split("::").zip(module).all(|(a, b)| a == b)
    })
}

#[test]
fn every_module_has_a_layer() {
    let sources = sources();
    let missing: Vec<String> = sources
        .iter()
        .filter(|s| !s.module.is_empty() && part_of(&s.module).is_none() && !spans(&s.module))
        .map(name)
        .collect();
    assert!(
        missing.is_empty(),
        "add these modules to LAYERS in tests/layering.rs: {missing:?}"
    );
    let stale: Vec<&&str> = LAYERS
        .iter()
        .filter(|l| {
            !sources
                .iter()
                .any(|s| part_of(&s.module).is_some_and(|i| LAYERS[i] == **l))
        })
        .collect();
    assert!(
        stale.is_empty(),
        "LAYERS names modules that do not exist: {stale:?}"
    );
}

/// Every import from a part to a part above it, as `from -> to` lines.
fn upward_imports(sources: &[Source]) -> Vec<String> {
    let g = graph(sources);
    let mut wrong = Vec::new();
    for (i, targets) in g.iter().enumerate() {
        let Some(from) = part_of(&sources[i].module) else {
            continue;
        };
        for &j in targets {
            let Some(to) = part_of(&sources[j].module) else {
                continue;
            };
            if to > from {
                wrong.push(format!("{} -> {}", name(&sources[i]), name(&sources[j])));
            }
        }
    }
    wrong
}

#[test]
fn no_module_imports_one_above_it() {
    let wrong = upward_imports(&sources());
    assert!(
        wrong.is_empty(),
        "lower modules import upper ones (order in LAYERS, tests/layering.rs):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checker_fails_on_an_upward_import() {
    let source = |module: &[&str], code: &str| Source {
        module: module.iter().map(|m| (*m).to_owned()).collect(),
        code: code_of(code),
    };
    // The store reaching up into the API handlers, and the body reader into the listener (one
    // folder, two layers): both are caught; the listener using the body reader is not.
    let sources = vec![
        source(&["store"], "use crate::api::users::get;\n"),
        source(&["api", "users"], "pub(crate) fn get() {}\n"),
        source(
            &["edge", "body"],
            "fn f() { crate::edge::listener::run(); }\n",
        ),
        source(&["edge", "listener"], "use crate::edge::body::read;\n"),
    ];
    assert_eq!(
        upward_imports(&sources),
        vec!["store -> api::users", "edge::body -> edge::listener"]
    );
}

#[test]
fn no_file_import_circle() {
    let sources = sources();
    let g = graph(&sources);
    // Tarjan's strongly connected components.
    struct State {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        circles: Vec<Vec<usize>>,
    }
    fn visit(v: usize, g: &[BTreeSet<usize>], st: &mut State) {
        st.index[v] = Some(st.next);
        st.low[v] = st.next;
        st.next += 1;
        st.stack.push(v);
        st.on_stack[v] = true;
        for &w in &g[v] {
            match st.index[w] {
                None => {
                    visit(w, g, st);
                    st.low[v] = st.low[v].min(st.low[w]);
                }
                Some(iw) if st.on_stack[w] => st.low[v] = st.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(st.low[v]) == st.index[v] {
            let mut component = Vec::new();
            while let Some(w) = st.stack.pop() {
                st.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                st.circles.push(component);
            }
        }
    }
    let n = g.len();
    let mut st = State {
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        circles: Vec::new(),
    };
    for v in 0..n {
        if st.index[v].is_none() {
            visit(v, &g, &mut st);
        }
    }
    let shown: Vec<String> = st
        .circles
        .iter()
        .map(|c| {
            let mut names: Vec<String> = c.iter().map(|&i| name(&sources[i])).collect();
            names.sort();
            names.join(", ")
        })
        .collect();
    assert!(
        shown.is_empty(),
        "files that import each other (around a circle):\n{}",
        shown.join("\n")
    );
}

#[test]
fn the_checker_sees_braces_super_and_children() {
    let module = vec!["scenario".to_owned(), "engine".to_owned()];
    let kids = BTreeSet::from(["rule".to_owned()]);
    let refs = references(
        &module,
        "use crate::{journal::Entry, store::{Store, Token}};\nuse super::matcher::Probe;\n\
         let x = rule::MAX; let s = \"http://x\"; foo::bar();",
        &kids,
    );
    let shown: Vec<String> = refs.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        shown,
        [
            "journal::Entry",
            "store::Store",
            "store::Token",
            "scenario::matcher::Probe",
            "scenario::engine::rule::MAX",
        ]
    );
    assert_eq!(code_of("a // b\n#[cfg(test)]\nmod tests {}"), "a \n");
    assert_eq!(
        code_of("#[cfg(test)]\nfn t() {\n  x();\n}\nuse crate::a;\n#[cfg(test)]\nmod tests;\nb"),
        "use crate::a;\nb\n"
    );
    // A test-only function whose signature spans lines, and a test-only field.
    assert_eq!(
        code_of(
            "#[cfg(test)]\n#[allow(x)]\nfn t(\n  a: u8,\n) -> u8 {\n  crate::z::f()\n}\nuse crate::a;\nstruct S {\n#[cfg(test)]\n  f: crate::y::Y,\n}"
        ),
        "use crate::a;\nstruct S {\n}\n"
    );
}
