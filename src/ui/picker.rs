//! The profile and region picker window (F8).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph};

use super::text::clean;
use crate::app::App;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(p) = &app.picker else {
        return;
    };
    let theme = &app.theme;
    let list_h = (p.profiles.len().max(1) as u16).min(12);
    let w = area.width.saturating_sub(4).min(64);
    let h = (list_h + 10).min(area.height.saturating_sub(2));
    let r = area.centered(Constraint::Length(w), Constraint::Length(h));
    frame.render_widget(Clear, r);
    let block = Block::bordered()
        .title(" Profile and region ")
        .border_style(theme.focus_border());
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [intro, list_area, region_area, problem_area, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Line::from(Span::styled(
            "Profiles from your AWS config and credentials files:",
            theme.dim(),
        )),
        intro,
    );
    let items: Vec<ListItem> = if p.profiles.is_empty() {
        vec![ListItem::new(Span::styled(
            "(none found: `aws configure` creates one)",
            theme.dim(),
        ))]
    } else {
        p.profiles
            .iter()
            .map(|name| {
                let mark = if *name == p.current_profile {
                    "● "
                } else {
                    "  "
                };
                ListItem::new(format!("{mark}{}", clean(name)))
            })
            .collect()
    };
    let list = List::new(items).highlight_style(if p.on_region {
        theme.title()
    } else {
        theme.selected()
    });
    let mut state = ListState::default().with_selected(Some(p.selected));
    frame.render_stateful_widget(list, list_area, &mut state);

    let region_block = Block::bordered()
        .title("Region")
        .border_style(if p.on_region {
            theme.focus_border()
        } else {
            theme.border()
        });
    let region_inner = region_block.inner(region_area);
    frame.render_widget(region_block, region_area);
    frame.render_widget(
        Paragraph::new(clean(p.region.value()).into_owned()),
        region_inner,
    );
    if p.on_region && region_inner.width > 0 {
        let x = (p.region.visual_cursor() as u16).min(region_inner.width - 1);
        frame.set_cursor_position(Position::new(region_inner.x + x, region_inner.y));
    }
    if let Some(problem) = &p.problem {
        frame.render_widget(
            Line::from(Span::styled(format!("✗ {problem}"), theme.error())),
            problem_area,
        );
    }
    let hints = [
        ("↑↓", "profile"),
        ("Tab", "region"),
        ("Enter", "switch"),
        ("Esc", "cancel"),
    ];
    frame.render_widget(super::key_hints(theme, &hints, hint.width), hint);
}
