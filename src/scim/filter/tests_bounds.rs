//! Hostile sizes: long flat `and`/`or` chains, deep nesting and huge value lists, in GET
//! filters and PATCH paths alike. Each either parses, evaluates and drops on a stack far
//! smaller than a server thread's, or fails with an over-limit error; it never overflows.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::parser::{MAX_DEPTH, MAX_TERMS};
use super::*;
use crate::scim::schema::ResourceKind;

/// Half the 2 MiB that test and tokio worker threads get. Parsing [`MAX_DEPTH`] levels of
/// grouping takes about 600 KiB in an unoptimised build (far less optimised); a tree whose
/// evaluation or drop recursed once per operand would overflow it within a few thousand.
const STACK: usize = 1024 * 1024;

/// Runs `check` on a thread with [`STACK`] bytes of stack. An overflow aborts the test binary,
/// which fails the run as loudly as the server would have failed.
fn on_small_stack(check: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(check)
        .expect("spawn a checking thread")
        .join()
        .expect("the check passed");
}

fn user() -> Value {
    json!({
        "userName": "ada@example.com",
        "emails": [{"type": "work", "value": "ada@work.example.com"}],
        "active": true
    })
}

/// `n` attribute expressions joined by `and`/`or`, picked from the bits of `mix`.
fn chain(n: usize, mix: u64) -> String {
    let mut out = String::with_capacity(n * 24);
    for i in 0..n {
        if i > 0 {
            out.push_str(if mix.rotate_left(i as u32) & 1 == 0 {
                " or "
            } else {
                " and "
            });
        }
        match i % 3 {
            0 => out.push_str("type pr"),
            1 => out.push_str(&format!("value eq \"v{i}@example.com\"")),
            _ => out.push_str("primary eq true"),
        }
    }
    out
}

/// `depth` levels of grouping around one expression: plain parentheses, `not (`, or both.
fn nested(depth: usize, style: u8) -> String {
    let open = |i: usize| match style % 3 {
        0 => "(",
        1 => "not (",
        _ if i.is_multiple_of(2) => "(",
        _ => "not (",
    };
    let mut out: String = (0..depth).map(open).collect();
    out.push_str("type eq \"work\"");
    out.push_str(&")".repeat(depth));
    out
}

/// The size of a generated filter: attribute expressions and levels of grouping.
#[derive(Debug, Clone, Copy)]
struct Size {
    terms: usize,
    depth: usize,
}

impl Size {
    fn flat(terms: usize) -> Self {
        Self { terms, depth: 0 }
    }

    /// Whether it is within the bounds, `extra_depth` levels down (a value filter's bracket).
    fn within(self, extra_depth: usize) -> bool {
        self.terms <= MAX_TERMS && self.depth + extra_depth <= MAX_DEPTH
    }
}

/// Parses `text` as a GET filter, a value filter inside a GET filter and a PATCH path value
/// filter; checks each against the bound it should hit, evaluates what parses, and drops it.
fn check_all(inner: String, size: Size) {
    on_small_stack(move || {
        let as_filter = parse(&inner);
        let as_value_path = parse(&format!("emails[{inner}]"));
        let as_patch_path = parse_patch_path(&format!("emails[{inner}].value"));
        for (form, result, within) in [
            ("filter", as_filter.as_ref().map(|_| ()), size.within(0)),
            (
                "value path",
                as_value_path.as_ref().map(|_| ()),
                size.within(1),
            ),
            (
                "patch path",
                as_patch_path.as_ref().map(|_| ()),
                size.within(1),
            ),
        ] {
            match result {
                Ok(()) => assert!(within, "{form}: parsed past the bound"),
                Err(e) => {
                    assert!(!within, "{form}: refused within the bound: {e}");
                    assert!(e.over_limit, "{form}: {e} should be an over-limit error");
                }
            }
        }
        let element = json!({"type": "work", "value": "v1@example.com", "primary": true});
        if let Ok(f) = &as_filter {
            let _ = matches_element(f, &element, None);
            let _ = check_profile(f, ResourceKind::User, crate::compat::Profile::Rfc);
            assert_eq!(
                parse(&f.to_string()).as_ref(),
                Ok(f),
                "renders and re-parses"
            );
        }
        if let Ok(f) = &as_value_path {
            let _ = matches(f, &user(), ResourceKind::User);
        }
        if let Ok(PatchPath {
            filter: Some(f), ..
        }) = &as_patch_path
        {
            let _ = matches_element(f, &element, None);
        }
    });
}

#[test]
fn the_reported_patch_path_is_refused_without_overflowing() {
    let terms = vec!["type pr"; 20_000].join(" or ");
    check_all(terms, Size::flat(20_000));
}

#[test]
fn bounds_are_exact() {
    for terms in [MAX_TERMS, MAX_TERMS + 1] {
        check_all(chain(terms, 0), Size::flat(terms));
    }
    // Inside `emails[...]` the bracket itself is one level of nesting.
    for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
        check_all(nested(depth, 0), Size { terms: 1, depth });
    }
}

#[test]
fn chains_fold_into_a_shallow_tree_that_keeps_operand_order() {
    let f = parse(&chain(MAX_TERMS, u64::MAX)).unwrap();
    fn depth(f: &Filter) -> usize {
        match f {
            Filter::And(a, b) | Filter::Or(a, b) => 1 + depth(a).max(depth(b)),
            Filter::Not(inner) | Filter::ValuePath { filter: inner, .. } => 1 + depth(inner),
            Filter::Compare { .. } | Filter::Present(_) => 0,
        }
    }
    assert!(
        depth(&f) <= 9,
        "depth {} for {MAX_TERMS} operands",
        depth(&f)
    );
    let mut seen = Vec::new();
    f.walk(&mut |node| {
        if let Filter::Compare {
            value: Value::String(value),
            ..
        } = node
        {
            seen.push(json!(value));
        }
    });
    let in_text_order: Vec<Value> = (0..MAX_TERMS)
        .filter(|i| i % 3 == 1)
        .map(|i| json!(format!("v{i}@example.com")))
        .collect();
    assert_eq!(seen, in_text_order);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn long_flat_chains(n in 1usize..20_000, mix in any::<u64>()) {
        check_all(chain(n, mix), Size::flat(n));
    }

    #[test]
    fn deep_nesting(depth in 1usize..10_000, style in any::<u8>()) {
        check_all(nested(depth, style), Size { terms: 1, depth });
    }

    #[test]
    fn huge_value_lists(n in 1usize..20_000) {
        let list = (0..n)
            .map(|i| format!("value eq \"user{i}@example.com\""))
            .collect::<Vec<_>>()
            .join(" or ");
        check_all(list, Size::flat(n));
    }
}
