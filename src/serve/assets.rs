//! The pages: one HTML shell, its script and its style, embedded in the
//! binary (no CDN, nothing fetched: every page works offline). The script
//! is written here, with no library; it routes by path and builds each
//! page from the JSON API, putting every value in as text.

/// The HTML shell every page path answers with
pub const INDEX: &str = include_str!("assets/index.html");
/// The script
pub const APP_JS: &str = include_str!("assets/app.js");
/// The style
pub const APP_CSS: &str = include_str!("assets/app.css");

/// The content type and body of a page or asset path; `None` for no page
pub fn page(path: &str) -> Option<(&'static str, &'static [u8])> {
    let html = "text/html; charset=utf-8";
    match path {
        "/assets/app.js" => Some(("text/javascript; charset=utf-8", APP_JS.as_bytes())),
        "/assets/app.css" => Some(("text/css; charset=utf-8", APP_CSS.as_bytes())),
        "/" | "/who-can" | "/lint" => Some((html, INDEX.as_bytes())),
        _ => {
            let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            let shell = matches!(
                seg.as_slice(),
                ["users", u] | ["users", u, "graph"] | ["permission-sets", u] if !u.is_empty()
            );
            shell.then_some((html, INDEX.as_bytes()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn page_paths_answer_with_the_shell_and_others_with_nothing() {
        for p in [
            "/",
            "/who-can",
            "/lint",
            "/users/alice",
            "/users/alice/graph",
            "/permission-sets/Admin",
        ] {
            assert_eq!(
                page(p).map(|(t, _)| t),
                Some("text/html; charset=utf-8"),
                "{p}"
            );
        }
        for p in ["/users", "/users/", "/nope", "/assets/x.js", "/users/a/b"] {
            assert!(page(p).is_none(), "{p}");
        }
        assert!(page("/assets/app.js")
            .is_some_and(|(t, b)| t.starts_with("text/javascript") && !b.is_empty()));
    }

    #[test]
    fn the_script_never_parses_html() {
        // Values from the snapshot go in as text: no sink that parses HTML.
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ] {
            assert!(!super::APP_JS.contains(sink), "app.js uses {sink}");
        }
    }
}
