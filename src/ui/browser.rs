//! The Meshes list: a bordered table of the rows on screen, and the filter line under it.
//!
//! Only the rows in view are turned into text: the list may hold 10,000 meshes, the screen
//! shows a few dozen.

use ratatui::Frame;
use ratatui::layout::{Alignment, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::layout::BrowserAreas;
use super::pane::SPINNER;
use super::text::{self, ago, clean};
use crate::app::{App, Pane};
use crate::browser::{Browser, SortKey};

/// Widths of the fixed columns; the name takes the rest.
const VERSION_W: usize = 4;
const TIME_W: usize = 12;
const OWNER_W: usize = 12;
/// Below this, the owner column gives its room to the name.
const NAME_MIN: usize = 20;

/// `s` cut to `width` cells as [`text::fit`] cuts it, padded with spaces to `width`.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = text::fit(s, width);
    let used = text::width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// Whether the owner column fits beside a name column of useful width.
fn show_owner(inner: usize) -> bool {
    inner >= NAME_MIN + VERSION_W + 2 * TIME_W + OWNER_W + 4
}

fn name_width(inner: usize) -> usize {
    let fixed = VERSION_W + 2 * TIME_W + 3 + if show_owner(inner) { OWNER_W + 1 } else { 0 };
    inner.saturating_sub(fixed)
}

fn header_line(b: &Browser, inner: usize, style: Style) -> Line<'static> {
    let arrow = |k: SortKey| if b.sort == k { "▼" } else { "" };
    let name = format!("NAME{}", if b.sort == SortKey::Name { "▲" } else { "" });
    let mut s = format!(
        "{} {:>VERSION_W$} {} {}",
        fit(&name, name_width(inner)),
        "VER",
        fit(&format!("CREATED{}", arrow(SortKey::Created)), TIME_W),
        fit(&format!("UPDATED{}", arrow(SortKey::Updated)), TIME_W),
    );
    if show_owner(inner) {
        s.push(' ');
        s.push_str(&fit("OWNER", OWNER_W));
    }
    Line::from(Span::styled(s, style))
}

fn empty_message(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let b = &app.browser;
    if let Some(e) = &b.error
        && b.meshes.is_empty()
    {
        return vec![
            Line::from(Span::styled(
                format!("Could not list the meshes: {}", clean(&e.title())),
                theme.error(),
            )),
            Line::from(clean(&e.message).into_owned()),
            Line::default(),
            Line::from(e.hint_for(crate::aws::CallKind::Read)),
            Line::default(),
            Line::from(Span::styled("r tries again.", theme.dim())),
        ];
    }
    if b.loading() && b.meshes.is_empty() {
        let spin = SPINNER[app.spinner % SPINNER.len()];
        return vec![Line::from(format!("{spin} Listing the meshes…"))];
    }
    if !b.meshes.is_empty() {
        return vec![
            Line::from(format!(
                "No mesh name contains \"{}\".",
                clean(b.filter.value())
            )),
            Line::from(Span::styled("Esc clears the filter.", theme.dim())),
        ];
    }
    if !b.loaded {
        return vec![Line::from(Span::styled(
            "Not listed yet: r lists the meshes.",
            theme.dim(),
        ))];
    }
    vec![
        Line::from("No meshes in this account and region yet."),
        Line::default(),
        Line::from(vec![
            Span::raw("Press "),
            Span::styled("F2", theme.key()),
            Span::raw(" to open the create form and make the first one."),
        ]),
    ]
}

pub fn render(app: &App, frame: &mut Frame, areas: &BrowserAreas) {
    let theme = &app.theme;
    let b = &app.browser;
    let inner = areas.columns.width as usize;

    let mut title = vec![Span::styled(
        format!(" Meshes ({}) ", b.meshes.len()),
        theme.title(),
    )];
    if !b.filter.value().is_empty() {
        title.push(Span::styled(
            format!("{} match ", b.rows.len()),
            theme.label(),
        ));
    }
    let mut block = Block::bordered()
        .border_style(if b.filtering {
            theme.border()
        } else {
            theme.focus_border()
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
    } else if let Some(e) = &b.error
        && !b.meshes.is_empty()
    {
        block = block.title(
            Line::from(Span::styled(
                format!(" listing stopped: {} (r retries) ", clean(&e.title())),
                theme.error(),
            ))
            .right_aligned(),
        );
    }
    // The detail pane may be off screen (narrow terminal): say here what is in flight.
    if let Pane::InFlight { action, name, .. } = &app.pane {
        let spin = SPINNER[app.spinner % SPINNER.len()];
        block = block.title_bottom(
            Line::from(Span::styled(
                format!(
                    " {spin} {} {}… Esc cancels ",
                    action.progress(),
                    clean(name)
                ),
                theme.warn(),
            ))
            .right_aligned(),
        );
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
        let p = Paragraph::new(empty_message(app))
            .wrap(Wrap { trim: false })
            .alignment(Alignment::Left);
        frame.render_widget(p, areas.rows.inner(ratatui::layout::Margin::new(1, 1)));
    } else {
        let show_owner = show_owner(inner);
        let name_w = name_width(inner);
        for (i, (pos, m)) in b.visible().enumerate() {
            let mut s = format!(
                "{} {:>VERSION_W$} {} {}",
                fit(&clean(&m.name), name_w),
                m.version,
                fit(&ago(app.now, m.created_at), TIME_W),
                fit(&ago(app.now, m.last_updated_at), TIME_W),
            );
            if show_owner {
                s.push(' ');
                s.push_str(&fit(&clean(&m.mesh_owner), OWNER_W));
            }
            let style = if pos == b.selected {
                theme.selected()
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
    let b = &app.browser;
    if b.filtering {
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
        frame.render_widget(
            Line::from(Span::styled(
                "/ filters by name · s sorts · Enter describes the selected mesh",
                theme.dim(),
            )),
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
}
