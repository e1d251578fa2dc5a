//! Tabular reports as CSV (spreadsheet-safe), Markdown and a self-contained
//! HTML page. Every writer takes a header and rows of cells.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

/// A cell a spreadsheet would run as a formula (it starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP's
/// CSV-injection advice says; other cells are unchanged
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Writes RFC 4180 CSV (UTF-8, header row, quoted where needed), every cell
/// neutralized
///
/// # Errors
/// Writing fails.
pub fn write_csv<W, I, R, C>(w: W, header: &[&str], rows: I) -> Result<(), csv::Error>
where
    W: Write,
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut out = csv::Writer::from_writer(w);
    out.write_record(header)?;
    for row in rows {
        write_record(&mut out, row)?;
    }
    out.flush()?;
    Ok(())
}

/// Writes one CSV record, every cell neutralized (borrowed when unchanged,
/// so a long stream does not allocate per cell)
///
/// # Errors
/// Writing fails.
pub fn write_record<W: Write, C: AsRef<str>>(
    out: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = C>,
) -> Result<(), csv::Error> {
    for cell in cells {
        out.write_field(neutralize(cell.as_ref()).as_bytes())?;
    }
    out.write_record(None::<&[u8]>)
}

/// A table for people (comfy-table, UTF-8 borders), with its header
pub fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    t
}

/// A Markdown table cell: pipes and backslashes escaped, line breaks as spaces
pub fn md_cell(cell: &str) -> String {
    cell.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Writes a Markdown document: a title, a summary line, then the table
///
/// # Errors
/// Writing fails.
pub fn write_markdown<W: Write, I: IntoIterator<Item = Vec<String>>>(
    mut w: W,
    title: &str,
    summary: &str,
    header: &[&str],
    rows: I,
) -> std::io::Result<()> {
    writeln!(w, "# {}\n\n{}\n", md_cell(title), md_cell(summary))?;
    writeln!(w, "| {} |", header.join(" | "))?;
    writeln!(w, "|{}", "---|".repeat(header.len()))?;
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
        writeln!(w, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// Escapes text for HTML element content and attribute values
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Privilege levels from most to least, with their chart colours
pub const LEVEL_COLOURS: [(&str, &str); 6] = [
    ("admin", "#b91c1c"),
    ("power user", "#ea580c"),
    ("write", "#ca8a04"),
    ("read", "#2563eb"),
    ("list", "#0891b2"),
    ("none", "#9ca3af"),
];

/// Writes a self-contained HTML page (no scripts, no external files): the
/// title and summary, counts per account and privilege level as a table
/// and a stacked bar chart (inline SVG), then the full table
///
/// # Errors
/// Writing fails.
pub fn write_html<W: Write, I: IntoIterator<Item = Vec<String>>>(
    mut w: W,
    title: &str,
    summary: &str,
    counts: &BTreeMap<String, BTreeMap<&'static str, usize>>,
    header: &[&str],
    rows: I,
) -> std::io::Result<()> {
    let t = html_escape(title);
    writeln!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>"
    )?;
    writeln!(
        w,
        "<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#111}}\
table{{border-collapse:collapse;font-size:13px}}th,td{{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;white-space:nowrap}}\
th{{background:#f3f4f6;position:sticky;top:0}}tr:nth-child(even) td{{background:#fafafa}}\
.legend span{{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}}\
.wrap{{overflow-x:auto}}</style>\n</head>\n<body>"
    )?;
    writeln!(
        w,
        "<h1>{t}</h1>\n<p id=\"summary\">{}</p>",
        html_escape(summary)
    )?;

    // Counts per account and level.
    writeln!(w, "<h2>Access per account and privilege level</h2>")?;
    writeln!(w, "<table id=\"counts\">\n<tr><th>account</th>")?;
    for (level, _) in LEVEL_COLOURS {
        writeln!(w, "<th>{level}</th>")?;
    }
    writeln!(w, "<th>total</th></tr>")?;
    for (account, levels) in counts {
        write!(w, "<tr><td>{}</td>", html_escape(account))?;
        for (level, _) in LEVEL_COLOURS {
            write!(w, "<td>{}</td>", levels.get(level).copied().unwrap_or(0))?;
        }
        writeln!(w, "<td>{}</td></tr>", levels.values().sum::<usize>())?;
    }
    writeln!(w, "</table>")?;

    // The chart: one stacked bar per account.
    let max = counts
        .values()
        .map(|l| l.values().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (260usize, 480usize, 22usize);
    let height = counts.len() * row_h + 10;
    writeln!(
        w,
        "<p class=\"legend\">{}</p>",
        LEVEL_COLOURS
            .iter()
            .map(|(l, c)| format!("<span style=\"background:{c}\"></span>{l}"))
            .collect::<String>()
    )?;
    writeln!(
        w,
        "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"rows per account and privilege level\">",
        label_w + bar_w + 60
    )?;
    for (i, (account, levels)) in counts.iter().enumerate() {
        let y = i * row_h + 5;
        writeln!(
            w,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            label_w - 6,
            y + 14,
            html_escape(account)
        )?;
        let mut x = label_w;
        for (level, colour) in LEVEL_COLOURS {
            let n = levels.get(level).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let width = (n * bar_w).div_ceil(max);
            writeln!(
                w,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{}\" fill=\"{colour}\"><title>{level}: {n}</title></rect>",
                row_h - 6
            )?;
            x += width;
        }
        writeln!(
            w,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            x + 4,
            y + 14,
            levels.values().sum::<usize>()
        )?;
    }
    writeln!(w, "</svg>")?;

    writeln!(
        w,
        "<h2>All rows</h2>\n<div class=\"wrap\"><table id=\"rows\">\n<tr>{}</tr>",
        header
            .iter()
            .map(|h| format!("<th>{}</th>", html_escape(h)))
            .collect::<String>()
    )?;
    for row in rows {
        writeln!(
            w,
            "<tr>{}</tr>",
            row.iter()
                .map(|c| format!("<td>{}</td>", html_escape(c)))
                .collect::<String>()
        )?;
    }
    writeln!(w, "</table></div>\n</body>\n</html>")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_the_rest_kept() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1"), "'+1");
        assert_eq!(neutralize("-2+3"), "'-2+3");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("\tx"), "'\tx");
        assert_eq!(neutralize("alice"), "alice");
        assert_eq!(neutralize(""), "");
        let mut out = Vec::new();
        write_csv(
            &mut out,
            &["a", "b"],
            [vec!["=1+1".to_owned(), "x,y".to_owned()]],
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a,b\n'=1+1,\"x,y\"\n");
    }

    #[test]
    fn markdown_and_html_escape_their_cells() {
        let mut md = Vec::new();
        write_markdown(&mut md, "T", "s", &["a"], [vec!["x|y".to_owned()]]).unwrap();
        assert_eq!(
            String::from_utf8(md).unwrap(),
            "# T\n\ns\n\n| a |\n|---|\n| x\\|y |\n"
        );
        assert_eq!(
            html_escape("<a href='x'>&"),
            "&lt;a href=&#39;x&#39;&gt;&amp;"
        );
    }
}
