//! The create form.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};
use tui_input::Input;

use super::layout::FormAreas;
use super::text::clean;
use super::theme::Theme;
use crate::app::App;
use crate::form::{Field, IP_CHOICES, ip_choice_label};
use crate::model::{self, EgressFilter, MESH_NAME_MAX, TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX};

fn block<'a>(theme: &Theme, title: &'a str, focused: bool, invalid: bool) -> Block<'a> {
    let style = if invalid {
        theme.error()
    } else if focused {
        theme.focus_border()
    } else {
        theme.border()
    };
    let marker = if focused { "▸ " } else { "" };
    Block::bordered().border_style(style).title(Line::from(vec![
        Span::raw(marker),
        Span::styled(
            title,
            if focused {
                theme.focus_border()
            } else {
                Style::new()
            },
        ),
    ]))
}

/// A one-line text input with a character counter in the border; places the cursor when
/// focused.
#[allow(clippy::too_many_arguments)]
pub(crate) fn text_input(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    title: &str,
    input: &Input,
    limit: usize,
    focused: bool,
    invalid: bool,
    locked: bool,
) {
    let count = model::char_len(input.value());
    let counter_style = if count > limit {
        theme.error()
    } else {
        theme.dim()
    };
    let mut b = block(theme, title, focused, invalid).title_bottom(
        Line::from(Span::styled(format!(" {count}/{limit} "), counter_style)).right_aligned(),
    );
    if locked {
        b = b.title_top(Line::from(Span::styled(" read-only ", theme.dim())).right_aligned());
    }
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let width = inner.width.max(1) as usize;
    let scroll = input.visual_scroll(width.saturating_sub(1));
    let shown = clean(input.value());
    let p = Paragraph::new(shown.into_owned()).scroll((0, scroll as u16));
    frame.render_widget(p, inner);
    if focused && !locked && inner.width > 0 {
        let x = (input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position(Position::new(inner.x + x.min(inner.width - 1), inner.y));
    }
}

pub(crate) fn choice_list(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    title: &str,
    items: Vec<String>,
    selected: usize,
    focused: bool,
) {
    let items: Vec<ListItem> = items
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            let mark = if i == selected { "(•) " } else { "( ) " };
            ListItem::new(format!("{mark}{label}"))
        })
        .collect();
    let highlight = if focused {
        theme.selected()
    } else {
        theme.title()
    };
    let list = List::new(items)
        .block(block(theme, title, focused, false))
        .highlight_style(highlight);
    let mut state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(list, area, &mut state);
}

pub fn render(app: &App, frame: &mut Frame, areas: &FormAreas) {
    let theme = &app.theme;
    let form = &app.form;
    let focus = form.focus;
    let name_problem = form.visible_name_problem();

    text_input(
        frame,
        theme,
        areas.name,
        "Mesh name",
        &form.name,
        MESH_NAME_MAX,
        focus == Field::Name,
        name_problem.is_some(),
        form.name_locked,
    );
    let msg = match &name_problem {
        Some(p) => Line::from(Span::styled(format!(" ✗ {p}"), theme.error())),
        None if !form.name.value().is_empty() => {
            Line::from(Span::styled(" ✓ valid name", theme.dim()))
        }
        None => Line::from(Span::styled(" required", theme.dim())),
    };
    frame.render_widget(msg, areas.name_message);

    choice_list(
        frame,
        theme,
        areas.egress,
        "Egress filter",
        EgressFilter::ALL
            .iter()
            .map(|e| e.as_str().to_string())
            .collect(),
        form.egress,
        focus == Field::Egress,
    );
    choice_list(
        frame,
        theme,
        areas.ip_preference,
        "Service discovery IP preference",
        (0..IP_CHOICES)
            .map(|i| ip_choice_label(i).to_string())
            .collect(),
        form.ip_preference,
        focus == Field::IpPreference,
    );

    let key_problem = form.tag_problem.is_some() && focus == Field::TagKey;
    text_input(
        frame,
        theme,
        areas.tag_key,
        "Tag key",
        &form.tag_key,
        TAG_KEY_MAX,
        focus == Field::TagKey,
        key_problem,
        false,
    );
    text_input(
        frame,
        theme,
        areas.tag_value,
        "Tag value",
        &form.tag_value,
        TAG_VALUE_MAX,
        focus == Field::TagValue,
        form.tag_problem.is_some() && focus == Field::TagValue,
        false,
    );
    let tag_line = match (&form.tag_problem, &form.notice) {
        (Some(p), _) => Line::from(Span::styled(format!(" ✗ {p}"), theme.error())),
        (None, Some(n)) => Line::from(Span::styled(format!(" {}", clean(n)), theme.ok())),
        (None, None) => Line::from(Span::styled(
            " Enter in Tag key or Tag value adds the tag",
            theme.dim(),
        )),
    };
    frame.render_widget(tag_line, areas.tag_message);

    let tags_title = format!("Tags ({}/{TAGS_MAX})", form.tags.len());
    let tags_block = block(
        theme,
        &tags_title,
        focus == Field::Tags,
        form.tags.len() > TAGS_MAX,
    );
    tag_list(
        frame,
        theme,
        tags_block,
        (&form.tags, form.tag_selected),
        focus == Field::Tags,
        areas.tags,
    );
    if form.name_locked {
        // An edit sends UpdateMesh, which carries no tags: they have their own editor.
        let area = areas.tag_key.union(areas.tags);
        frame.render_widget(ratatui::widgets::Clear, area);
        let note = Paragraph::new(vec![
            Line::from("UpdateMesh changes the spec only."),
            Line::from(Span::styled(
                "Tags: press t on the mesh in the Meshes view (F3).",
                theme.dim(),
            )),
        ])
        .block(Block::bordered().border_style(theme.border()).title("Tags"));
        frame.render_widget(note, area);
    }

    let create_style = if focus == Field::Create {
        theme.active_tab()
    } else {
        theme.title()
    };
    // Read-only mode offers no change: the place of the button says so.
    let (label, create_style) = if app.read_only {
        let style = if focus == Field::Create {
            create_style
        } else {
            theme.dim()
        };
        ("read-only: nothing is sent (x exports)", style)
    } else if form.name_locked {
        ("[ Update ]", create_style)
    } else {
        ("[ Create ]", create_style)
    };
    let busy = if app.in_flight.is_some() {
        "  (request in flight…)"
    } else {
        ""
    };
    frame.render_widget(
        Line::from(vec![
            Span::styled(label, create_style),
            Span::styled(busy, theme.dim()),
        ]),
        Rect {
            width: areas.create.width.max(label.len() as u16) + busy.len() as u16,
            ..areas.create
        }
        .intersection(frame.area()),
    );
}

/// A tag as one row: `key = value`, the key in the label style, both made safe to draw.
pub(super) fn tag_spans(theme: &Theme, t: &model::Tag) -> [Span<'static>; 3] {
    [
        Span::styled(clean(&t.key).into_owned(), theme.label()),
        Span::raw(" = "),
        Span::raw(clean(&t.value).into_owned()),
    ]
}

/// The form's tag list in `block`: "No tags yet.", or a row a tag with the selected one
/// highlighted while the list has the focus. `tags` is the list and its selected index.
pub(super) fn tag_list(
    frame: &mut Frame,
    theme: &Theme,
    block: Block,
    (tags, selected): (&[model::Tag], usize),
    focused: bool,
    area: Rect,
) {
    if tags.is_empty() {
        let p = Paragraph::new(Span::styled("No tags yet.", theme.dim())).block(block);
        frame.render_widget(p, area);
        return;
    }
    let items: Vec<ListItem> = tags
        .iter()
        .map(|t| ListItem::new(Line::from(tag_spans(theme, t).to_vec())))
        .collect();
    let list = List::new(items).block(block).highlight_style(if focused {
        theme.selected()
    } else {
        Style::new()
    });
    let mut state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(list, area, &mut state);
}
