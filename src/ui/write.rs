//! Drawing the window that writes a resource ([`crate::app_write`]): the guided form, the
//! canary control or the in-app spec editor, over the Meshes view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Clear};

use crate::app::App;
use crate::app_write::Writer;

/// A window of at most `width`×`height`, centred, leaving a cell around it.
fn window(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(
        Constraint::Length(width.min(area.width.saturating_sub(2))),
        Constraint::Length(height.min(area.height.saturating_sub(2))),
    )
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(w) = &app.write else {
        return;
    };
    let theme = &app.theme;
    match &w.writer {
        Writer::Form(f) => {
            // The rows and the title, answer, help, status and key lines around them.
            let rows = f.drawn().len().min(u16::MAX as usize / 2) as u16;
            let r = window(area, 110, (rows + 10).max(16));
            frame.render_widget(Clear, r);
            let block = Block::bordered().border_style(theme.focus_border());
            let inner = block.inner(r);
            frame.render_widget(block, r);
            f.render(frame, inner, theme);
        }
        Writer::Canary(c) => {
            let rows = c.targets.len().min(u16::MAX as usize - 10) as u16;
            let r = window(area, 84, rows + 9);
            c.render(frame, r, theme);
        }
        Writer::Spec { editor, .. } => {
            let r = window(area, 110, area.height);
            editor.render(frame, r, theme);
        }
    }
}
