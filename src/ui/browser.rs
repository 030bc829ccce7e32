//! The Meshes view: where the user is (breadcrumb), the kinds of the open mesh with their
//! counts, and a bordered table of the rows on screen with the columns that matter for the
//! kind (the registry's [`crate::explore::facts`] tables), narrower ones dropped first.
//!
//! Only the rows in view are turned into text: a list may hold 10,000 meshes or 2,000 nodes,
//! the screen shows a few dozen.

use ratatui::Frame;
use ratatui::layout::{Alignment, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::layout::{BrowserAreas, ExploreAreas};
use super::pane::SPINNER;
use super::text::{self, ago, clean};
use crate::app::{App, Pane};
use crate::browser::{Browser, SortKey};
use crate::explore::{Focus, Where, facts};
use crate::kind::Kind;
use crate::resource::Summary;

/// `s` cut to `width` cells as [`text::fit`] cuts it, padded with spaces to `width`.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = text::fit(s, width);
    let used = text::width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// What a column shows.
#[derive(Clone, Copy)]
enum Cell {
    /// A fact read from the spec (`…` until the resource is described).
    Fact(fn(&serde_json::Value) -> String),
    Version,
    Created,
    Updated,
    Owner,
}

#[derive(Clone, Copy)]
struct Col {
    title: &'static str,
    min: usize,
    max: usize,
    priority: u8,
    cell: Cell,
}

const TIME_W: usize = 12;

/// The columns of a kind's list after the name, in screen order.
fn columns_of(kind: Kind) -> Vec<Col> {
    let mut cols: Vec<Col> = facts::columns(kind)
        .iter()
        .map(|c| Col {
            title: c.title,
            min: c.min as usize,
            max: c.max as usize,
            priority: c.priority,
            cell: Cell::Fact(c.value),
        })
        .collect();
    cols.push(Col {
        title: "VER",
        min: 4,
        max: 4,
        priority: 2,
        cell: Cell::Version,
    });
    if kind == Kind::Mesh {
        cols.push(Col {
            title: "CREATED",
            min: TIME_W,
            max: TIME_W,
            priority: 2,
            cell: Cell::Created,
        });
    }
    cols.push(Col {
        title: "UPDATED",
        min: TIME_W,
        max: TIME_W,
        priority: if kind == Kind::Mesh { 2 } else { 1 },
        cell: Cell::Updated,
    });
    if kind == Kind::Mesh {
        cols.push(Col {
            title: "OWNER",
            min: 12,
            max: 12,
            priority: 0,
            cell: Cell::Owner,
        });
    }
    cols
}

/// Which columns fit in `inner` cells beside a name of at least `name_min`, and the widths:
/// (name width, [(column, width)]). Lower priorities go first.
fn layout(kind: Kind, inner: usize) -> (usize, Vec<(Col, usize)>) {
    let name_min = if kind == Kind::Mesh { 20 } else { 16 };
    let all = columns_of(kind);
    let mut chosen: Vec<usize> = (0..all.len()).collect();
    let need = |chosen: &[usize]| name_min + chosen.iter().map(|&i| all[i].min + 1).sum::<usize>();
    while need(&chosen) > inner && !chosen.is_empty() {
        // Drop the lowest priority, the rightmost of equals.
        let (pos, _) = chosen
            .iter()
            .enumerate()
            .min_by_key(|(p, i)| (all[**i].priority, std::cmp::Reverse(*p)))
            .expect("not empty");
        chosen.remove(pos);
    }
    let mut widths: Vec<usize> = chosen.iter().map(|&i| all[i].min).collect();
    let mut left = inner.saturating_sub(need(&chosen));
    // Grow the columns toward their widest, the name takes the rest.
    for (w, &i) in widths.iter_mut().zip(&chosen) {
        let grow = (all[i].max - all[i].min).min(left / 2);
        *w += grow;
        left -= grow;
    }
    let name = name_min + left;
    (
        name,
        chosen
            .iter()
            .zip(widths)
            .map(|(&i, w)| (all[i], w))
            .collect(),
    )
}

fn header_line(b: &Browser, inner: usize, style: Style) -> Line<'static> {
    let arrow = |k: SortKey| if b.sort == k { "▼" } else { "" };
    let (name_w, cols) = layout(b.kind, inner);
    let mut s = fit(
        &format!("NAME{}", if b.sort == SortKey::Name { "▲" } else { "" }),
        name_w,
    );
    for (c, w) in cols {
        s.push(' ');
        let title = match c.cell {
            Cell::Created => format!("CREATED{}", arrow(SortKey::Created)),
            Cell::Updated => format!("UPDATED{}", arrow(SortKey::Updated)),
            _ => c.title.to_uppercase(),
        };
        if matches!(c.cell, Cell::Version) {
            s.push_str(&format!("{title:>w$}"));
        } else {
            s.push_str(&fit(&title, w));
        }
    }
    Line::from(Span::styled(s, style))
}

fn row_text(app: &App, s: &Summary, inner: usize) -> String {
    let (name_w, cols) = layout(s.key.kind, inner);
    // Read from its text once per row on screen, and only when a column needs it.
    let facts = cols.iter().any(|(c, _)| matches!(c.cell, Cell::Fact(_)));
    let spec = app
        .explorer
        .open
        .as_ref()
        .filter(|_| facts)
        .and_then(|o| o.model.get(&s.key))
        .map(|i| i.spec.value());
    let mut out = fit(&clean(&s.key.name), name_w);
    for (c, w) in cols {
        out.push(' ');
        match c.cell {
            Cell::Fact(f) => {
                let v = spec.as_ref().map_or_else(|| "…".to_string(), f);
                out.push_str(&fit(&clean(&v), w));
            }
            Cell::Version => out.push_str(&format!("{:>w$}", s.meta.version)),
            Cell::Created => out.push_str(&fit(&ago(app.now, s.meta.created_at), w)),
            Cell::Updated => out.push_str(&fit(&ago(app.now, s.meta.last_updated_at), w)),
            Cell::Owner => out.push_str(&fit(&clean(&s.meta.mesh_owner), w)),
        }
    }
    out
}

fn empty_message(app: &App, b: &Browser) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let plural = b.kind.info().plural;
    if let Some(e) = &b.error
        && b.items.is_empty()
    {
        return vec![
            Line::from(Span::styled(
                format!("Could not list the {plural}: {}", clean(&e.title())),
                theme.error(),
            )),
            Line::from(clean(&e.message).into_owned()),
            Line::default(),
            Line::from(e.hint_for(crate::aws::CallKind::Read)),
            Line::default(),
            Line::from(Span::styled("r tries again.", theme.dim())),
        ];
    }
    if b.loading() && b.items.is_empty() {
        let spin = SPINNER[app.spinner % SPINNER.len()];
        return vec![Line::from(format!("{spin} Listing the {plural}…"))];
    }
    if !b.items.is_empty() {
        return vec![
            Line::from(format!(
                "No {} name contains \"{}\".",
                b.kind.info().singular,
                clean(b.filter.value())
            )),
            Line::from(Span::styled("Esc clears the filter.", theme.dim())),
        ];
    }
    if !b.loaded {
        return vec![Line::from(Span::styled(
            format!("Not listed yet: r lists the {plural}."),
            theme.dim(),
        ))];
    }
    if b.kind == Kind::Mesh {
        return vec![
            Line::from("No meshes in this account and region yet."),
            Line::default(),
            Line::from(vec![
                Span::raw("Press "),
                Span::styled("F2", theme.key()),
                Span::raw(" to open the create form and make the first one."),
            ]),
        ];
    }
    vec![Line::from(format!("No {plural} here yet."))]
}

/// The whole view.
pub fn render(app: &App, frame: &mut Frame, areas: &ExploreAreas) {
    render_crumbs(app, frame, areas.crumbs);
    if let Some(k) = areas.kinds {
        render_kinds(app, frame, k);
    }
    render_list(app, frame, &areas.list);
}

fn render_crumbs(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let parts = app.explorer.breadcrumb();
    let mut spans = vec![Span::raw(" ")];
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" › ", theme.dim()));
        }
        let style = if i + 1 == parts.len() {
            theme.title()
        } else {
            theme.label()
        };
        spans.push(Span::styled(clean(p).into_owned(), style));
    }
    if let Some(open) = &app.explorer.open
        && app.explorer.inside()
    {
        let listed: usize = open.lists.values().map(|l| l.items.len()).sum();
        let described = open.model.items.len();
        if !open.complete() {
            let spin = SPINNER[app.spinner % SPINNER.len()];
            spans.push(Span::styled(
                format!("   {spin} described {described} of {listed}"),
                theme.dim(),
            ));
        }
    }
    let line = Line::from(spans);
    frame.render_widget(line, area);
}

fn render_kinds(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let e = &app.explorer;
    let focused = e.focus == Focus::Kinds;
    let block = Block::bordered()
        .border_style(if focused {
            theme.focus_border()
        } else {
            theme.border()
        })
        .title(Span::styled(" Kinds ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let current = match &e.at {
        Where::Kind(k) => Some(*k),
        Where::Inside(p) => Some(p.kind),
        Where::Meshes => None,
    };
    let Some(open) = &e.open else { return };
    for (i, k) in Kind::Mesh.children().into_iter().enumerate() {
        if i as u16 >= inner.height {
            break;
        }
        let (n, loading) = open.count(k);
        let count = if loading {
            format!("{n}…")
        } else {
            n.to_string()
        };
        let label = {
            let mut l = k.info().plural.to_string();
            l[..1].make_ascii_uppercase();
            l
        };
        let w = inner.width as usize;
        let count_w = text::width(&count);
        let s = format!(
            "{}{count}",
            fit(&label, w.saturating_sub(count_w + 1).max(1)) + " "
        );
        let style = if Some(k) == current {
            if focused {
                theme.selected()
            } else {
                theme.label()
            }
        } else {
            Style::new()
        };
        frame.render_widget(
            Line::from(Span::styled(s, style)),
            Rect::new(inner.x, inner.y + i as u16, inner.width, 1),
        );
    }
}

fn render_list(app: &App, frame: &mut Frame, areas: &BrowserAreas) {
    let theme = &app.theme;
    let e = &app.explorer;
    let b = e.list();
    let inner = areas.columns.width as usize;
    let mut title_text = b.kind.info().plural.to_string();
    title_text[..1].make_ascii_uppercase();
    let mut title = vec![Span::styled(
        format!(" {title_text} ({}) ", b.items.len()),
        theme.title(),
    )];
    if !b.filter.value().is_empty() {
        title.push(Span::styled(
            format!("{} match ", b.rows.len()),
            theme.label(),
        ));
    }
    let focused = e.focus == Focus::List && !b.filtering;
    let mut block = Block::bordered()
        .border_style(if focused {
            theme.focus_border()
        } else {
            theme.border()
        })
        .title(Line::from(title));
    if let Some(load) = &b.load {
        let spin = SPINNER[app.spinner % SPINNER.len()];
        let what = if b.loaded { "refreshing" } else { "loading" };
        block = block.title(
            Line::from(Span::styled(
                format!(" {spin} {what}: {} received ", load.received),
                theme.warn(),
            ))
            .right_aligned(),
        );
    } else if b.stopped.is_some() {
        block = block.title(
            Line::from(Span::styled(
                " listing stopped early: see the status line (r lists again) ",
                theme.error(),
            ))
            .right_aligned(),
        );
    } else if let Some(err) = &b.error
        && !b.items.is_empty()
    {
        block = block.title(
            Line::from(Span::styled(
                format!(" listing stopped: {} (r retries) ", clean(&err.title())),
                theme.error(),
            ))
            .right_aligned(),
        );
    }
    // The detail pane may be off screen (narrow terminal): say here what is in flight.
    if let Pane::InFlight {
        action, kind, name, ..
    } = &app.pane
    {
        let spin = SPINNER[app.spinner % SPINNER.len()];
        // Room beside the sort label on the bottom border: the name is cut before the words.
        let room = (areas.list.width as usize)
            .saturating_sub(2 + text::width(&format!(" sort: {} ", b.sort.label())) + 1);
        let what = format!(" {spin} {} ", action.progress_of(*kind));
        let name = clean(name);
        let full = format!("{what}{name}… Esc cancels ");
        // The footer says Esc cancels too: on a narrow list the words go before the name.
        let short = format!("{what}{name}… ");
        let text = if text::width(&full) <= room {
            full
        } else if text::width(&short) <= room {
            short
        } else {
            let name_room = room.saturating_sub(text::width(&what) + 1).max(4);
            format!("{what}{} ", fit(&name, name_room).trim_end())
        };
        block = block.title_bottom(Line::from(Span::styled(text, theme.warn())).right_aligned());
    } else if !b.rows.is_empty() {
        block = block.title_bottom(
            Line::from(Span::styled(
                format!(" {}/{} ", b.selected + 1, b.rows.len()),
                theme.dim(),
            ))
            .right_aligned(),
        );
    }
    block = block.title_bottom(Line::from(Span::styled(
        format!(" sort: {} ", b.sort.label()),
        theme.dim(),
    )));
    frame.render_widget(block, areas.list);
    frame.render_widget(header_line(b, inner, theme.label()), areas.columns);

    if b.rows.is_empty() {
        let p = Paragraph::new(empty_message(app, b))
            .wrap(Wrap { trim: false })
            .alignment(Alignment::Left);
        frame.render_widget(p, areas.rows.inner(ratatui::layout::Margin::new(1, 1)));
    } else {
        for (i, (pos, m)) in b.visible().enumerate() {
            let s = row_text(app, m, inner);
            let style = if pos == b.selected {
                if focused || e.focus != Focus::List {
                    theme.selected()
                } else {
                    theme.label()
                }
            } else {
                Style::new()
            };
            let row = Rect::new(areas.rows.x, areas.rows.y + i as u16, areas.rows.width, 1);
            frame.render_widget(Line::from(Span::styled(s, style)), row);
        }
    }
    render_filter(app, frame, areas.filter);
}

fn render_filter(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let e = &app.explorer;
    let b = e.list();
    if let Some(j) = &e.jump {
        let prompt = ":";
        let value = j.input.value();
        let mut spans = vec![
            Span::styled(prompt, theme.key()),
            Span::raw(clean(value).into_owned()),
        ];
        let hint = match &j.problem {
            Some(p) => Span::styled(format!("   {}", clean(p)), theme.error()),
            None => {
                let c = e.completions(value);
                Span::styled(
                    if c.is_empty() {
                        "   vs vn vr routes vg gr meshes, or a name".to_string()
                    } else {
                        format!(
                            "   Tab: {}",
                            c.into_iter().take(8).collect::<Vec<_>>().join(" · ")
                        )
                    },
                    theme.dim(),
                )
            }
        };
        spans.push(hint);
        frame.render_widget(Line::from(spans), area);
        let x = area.x + 1 + j.input.visual_cursor() as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    } else if b.filtering {
        let prompt = "Filter: ";
        let width = (area.width as usize)
            .saturating_sub(prompt.len() + 1)
            .max(1);
        let scroll = b.filter.visual_scroll(width);
        let shown: String = clean(b.filter.value()).chars().skip(scroll).collect();
        frame.render_widget(
            Line::from(vec![Span::styled(prompt, theme.key()), Span::raw(shown)]),
            area,
        );
        let x = area.x + prompt.len() as u16 + (b.filter.visual_cursor() - scroll) as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    } else if !b.filter.value().is_empty() {
        frame.render_widget(
            Line::from(vec![
                Span::styled("Filter: ", theme.label()),
                Span::raw(clean(b.filter.value()).into_owned()),
                Span::styled("  (/ edits, Esc clears)", theme.dim()),
            ]),
            area,
        );
    } else {
        let what = match b.kind {
            Kind::Mesh => "Enter opens the selected mesh",
            Kind::VirtualRouter => "Enter opens the router's routes",
            Kind::VirtualGateway => "Enter opens the gateway's routes",
            _ => "Enter describes",
        };
        // The longest hint that fits; a narrow list gets the short one, not a cut word.
        let long = format!("/ filters by name · s sorts · {what} · : jumps");
        let hint = [
            long.as_str(),
            "/ filter · s sort · Enter · : jump",
            "/ filter · : jump",
        ]
        .into_iter()
        .find(|h| text::width(h) <= area.width as usize)
        .unwrap_or("");
        frame.render_widget(
            Line::from(Span::styled(hint.to_string(), theme.dim())),
            area,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_pads_cuts_and_counts_wide_characters() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 5), "abcd…");
        assert_eq!(fit("abcde", 5), "abcde");
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(fit("日本語", 6), "日本語");
        assert_eq!(fit("x", 0), "");
    }

    #[test]
    fn columns_are_dropped_lowest_priority_first_and_fill_the_width() {
        for kind in Kind::ALL {
            for inner in [30usize, 56, 76, 100, 140] {
                let (name, cols) = layout(kind, inner);
                let used = name + cols.iter().map(|(_, w)| w + 1).sum::<usize>();
                assert!(used <= inner.max(name), "{kind} at {inner}: {used}");
                if inner >= 76 {
                    assert_eq!(used, inner, "{kind} at {inner}");
                }
            }
        }
        // Meshes at a narrow width lose the owner first.
        let (_, cols) = layout(Kind::Mesh, 60);
        assert!(!cols.iter().any(|(c, _)| c.title == "OWNER"));
        let (_, cols) = layout(Kind::Mesh, 80);
        assert!(cols.iter().any(|(c, _)| c.title == "OWNER"));
        // Routes keep their targets longest.
        let (_, cols) = layout(Kind::Route, 40);
        assert!(
            cols.iter().any(|(c, _)| c.title == "targets"),
            "{:?}",
            cols.iter().map(|(c, _)| c.title).collect::<Vec<_>>()
        );
    }
}
