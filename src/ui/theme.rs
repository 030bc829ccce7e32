//! Colours and emphasis, in three themes: `default`, `high-contrast` (bright colours on the
//! terminal's background, no dim grey), and `mono` (no colour at all: bold, reverse and
//! underline carry the meaning). `NO_COLOR` always means mono, as <https://no-color.org> asks.

use ratatui::style::{Color, Modifier, Style};

use crate::config::ThemeName;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    /// Show the keys that work right now in the bottom line (config `key_hints`).
    pub key_hints: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            name: ThemeName::Default,
            key_hints: true,
        }
    }
}

impl Theme {
    /// The theme asked for, unless `NO_COLOR` is set (any non-empty value).
    pub fn new(name: ThemeName, key_hints: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            name: if no_color { ThemeName::Mono } else { name },
            key_hints,
        }
    }

    pub fn from_env() -> Self {
        Theme::new(ThemeName::Default, true)
    }

    fn color(&self) -> bool {
        self.name != ThemeName::Mono
    }

    fn high_contrast(&self) -> bool {
        self.name == ThemeName::HighContrast
    }

    fn fg(&self, normal: Color, high: Color) -> Style {
        match self.name {
            ThemeName::Default => Style::new().fg(normal),
            ThemeName::HighContrast => Style::new().fg(high),
            ThemeName::Mono => Style::new(),
        }
    }

    pub fn focus_border(&self) -> Style {
        self.fg(Color::Cyan, Color::LightYellow)
            .add_modifier(Modifier::BOLD)
    }
    pub fn border(&self) -> Style {
        self.fg(Color::DarkGray, Color::White)
    }
    pub fn error(&self) -> Style {
        let s = self
            .fg(Color::Red, Color::LightRed)
            .add_modifier(Modifier::BOLD);
        if self.color() {
            s
        } else {
            s.add_modifier(Modifier::UNDERLINED)
        }
    }
    pub fn ok(&self) -> Style {
        self.fg(Color::Green, Color::LightGreen)
            .add_modifier(Modifier::BOLD)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow, Color::LightYellow)
            .add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        match self.name {
            ThemeName::Default => Style::new().fg(Color::DarkGray),
            // High contrast: secondary text stays fully legible.
            ThemeName::HighContrast => Style::new().fg(Color::White),
            ThemeName::Mono => Style::new().add_modifier(Modifier::DIM),
        }
    }
    pub fn label(&self) -> Style {
        let s = self.fg(Color::Cyan, Color::LightCyan);
        if self.high_contrast() {
            s.add_modifier(Modifier::BOLD)
        } else {
            s
        }
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Yellow, Color::LightYellow)
            .add_modifier(Modifier::BOLD)
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn sandbox(&self) -> Style {
        if self.color() {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn active_tab(&self) -> Style {
        match self.name {
            ThemeName::Default => Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            ThemeName::HighContrast => Style::new()
                .fg(Color::Black)
                .bg(Color::LightYellow)
                .add_modifier(Modifier::BOLD),
            ThemeName::Mono => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_uses_no_colour_and_still_marks_errors_and_focus() {
        let t = Theme {
            name: ThemeName::Mono,
            key_hints: true,
        };
        for s in [
            t.focus_border(),
            t.border(),
            t.error(),
            t.ok(),
            t.warn(),
            t.dim(),
            t.label(),
            t.key(),
            t.selected(),
            t.sandbox(),
            t.active_tab(),
        ] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert!(t.error().add_modifier.contains(Modifier::UNDERLINED));
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn high_contrast_has_no_dark_grey() {
        let t = Theme {
            name: ThemeName::HighContrast,
            key_hints: true,
        };
        for s in [t.border(), t.dim(), t.label()] {
            assert_ne!(s.fg, Some(Color::DarkGray));
        }
    }
}
