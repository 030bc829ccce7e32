//! The optional config file: defaults for the profile, region, endpoint, theme and key hints.
//!
//! It lives at `$XDG_CONFIG_HOME/appmesh-tui/config.toml` (`~/.config/…`). Command-line flags
//! win over the environment (`AWS_PROFILE`, `AWS_REGION`, …), which wins over this file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// An example with every setting, printed by `appmesh-tui config example`.
pub const EXAMPLE: &str = r#"# appmesh-tui config: every key is optional.
# Flags (--profile, --region, ...) win over the environment, which wins over this file.

# AWS profile to use when neither --profile nor AWS_PROFILE is given.
profile = "default"

# Region to use when neither --region nor AWS_REGION / AWS_DEFAULT_REGION is given.
region = "us-east-1"

# Send requests here instead of AWS (like --endpoint-url).
# endpoint_url = "http://127.0.0.1:4566"

# "default", "high-contrast" or "mono". NO_COLOR in the environment always means "mono".
theme = "default"

# Show the keys that work right now in the bottom line.
key_hints = true
"#;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    #[default]
    Default,
    HighContrast,
    Mono,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    #[serde(default)]
    pub theme: ThemeName,
    #[serde(default = "yes")]
    pub key_hints: bool,
}

fn yes() -> bool {
    true
}

impl Default for Config {
    fn default() -> Self {
        Config {
            profile: None,
            region: None,
            endpoint_url: None,
            theme: ThemeName::Default,
            key_hints: true,
        }
    }
}

/// Where the config file is looked for.
pub fn path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("appmesh-tui").join("config.toml"))
}

impl Config {
    /// Parses a config file's text; the error names the file, the line and the problem.
    pub fn parse(text: &str, path: &Path) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(":{line}")
                })
                .unwrap_or_default();
            let msg = e.message().trim().to_string();
            format!(
                "config file {}{place}: {msg}. Fix it (see `appmesh-tui config example`) or move it away; using the defaults for now.",
                path.display()
            )
        })
    }

    /// Loads the config file. A missing file is the defaults; a broken one is the defaults
    /// plus a message that says what to fix.
    pub fn load_from(path: Option<&Path>) -> (Config, Option<String>) {
        let Some(path) = path else {
            return (Config::default(), None);
        };
        match std::fs::read_to_string(path) {
            Ok(text) => match Config::parse(&text, path) {
                Ok(c) => (c, None),
                Err(e) => (Config::default(), Some(e)),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), None),
            Err(e) => (
                Config::default(),
                Some(format!(
                    "cannot read config file {}: {e}; using the defaults",
                    path.display()
                )),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_to_what_it_says() {
        let c = Config::parse(EXAMPLE, Path::new("x.toml")).unwrap();
        assert_eq!(c.profile.as_deref(), Some("default"));
        assert_eq!(c.region.as_deref(), Some("us-east-1"));
        assert_eq!(c.endpoint_url, None);
        assert_eq!(c.theme, ThemeName::Default);
        assert!(c.key_hints);
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(
            Config::parse("", Path::new("x")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn mistakes_name_the_file_line_and_problem() {
        let e = Config::parse(
            "region = \"eu-west-1\"\nthem = \"dark\"\n",
            Path::new("/c/config.toml"),
        )
        .unwrap_err();
        assert!(e.contains("/c/config.toml:2") && e.contains("them"), "{e}");
        let e = Config::parse("theme = \"neon\"\n", Path::new("c")).unwrap_err();
        assert!(e.contains("neon") || e.contains("variant"), "{e}");
        let e = Config::parse("key_hints = \"yes\"\n", Path::new("c")).unwrap_err();
        assert!(e.contains("c:1"), "{e}");
    }

    #[test]
    fn missing_and_unreadable_files() {
        let dir = tempfile::tempdir().unwrap();
        let (c, msg) = Config::load_from(Some(&dir.path().join("none.toml")));
        assert_eq!((c, msg), (Config::default(), None));
        let (c, msg) = Config::load_from(Some(dir.path()));
        assert_eq!(c, Config::default());
        assert!(msg.unwrap().contains("cannot read config file"));
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "profile = [").unwrap();
        let (_, msg) = Config::load_from(Some(&bad));
        assert!(msg.unwrap().contains("bad.toml:1"));
    }
}
