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

/// The most read of the config file: a real one is a few hundred bytes.
pub const CONFIG_CAP: crate::fileio::Cap = crate::fileio::Cap {
    what: "config file",
    bytes: 1 << 20,
    raise: None,
};

/// Where the config file is looked for.
pub fn path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("appmesh-tui").join("config.toml"))
}

impl Config {
    /// Parses a config file's text; the error names the file, the line and the problem. Values
    /// are checked as strictly as typed input: an `endpoint_url` that is not an http(s) URL, a
    /// `region` that is not a region name (as the F8 picker checks it), a `profile` holding a
    /// control character are mistakes on their line.
    pub fn parse(text: &str, path: &Path) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| {
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
        })?;
        let line_of = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key))
                .map_or_else(String::new, |i| format!(":{}", i + 1))
        };
        let problem = if let Some(p) = config
            .endpoint_url
            .as_deref()
            .and_then(crate::aws::endpoint_url_problem)
        {
            Some(("endpoint_url", format!("endpoint_url {p}")))
        } else if let Some(p) = config
            .region
            .as_deref()
            .and_then(crate::picker::region_problem)
        {
            Some(("region", format!("region {}", p.trim_end_matches('.'))))
        } else {
            config
                .profile
                .as_deref()
                .and_then(|p| crate::model::forbidden_char_problem("Profile", p))
                .map(|p| ("profile", p.trim_end_matches('.').to_string()))
        };
        if let Some((key, problem)) = problem {
            return Err(format!(
                "config file {}{}: {problem}. Fix it or move the file away; using the defaults for now.",
                path.display(),
                line_of(key)
            ));
        }
        Ok(config)
    }

    /// Loads the config file. A missing file is the defaults; a broken one is the defaults
    /// plus a message that says what to fix.
    pub fn load_from(path: Option<&Path>) -> (Config, Option<String>) {
        let Some(path) = path else {
            return (Config::default(), None);
        };
        // Bounded and type-checked (a FIFO or a device is refused at once): this runs before
        // the first frame.
        match crate::fileio::read_text(path, &CONFIG_CAP) {
            Ok(text) => match Config::parse(&text, path) {
                Ok(c) => (c, None),
                Err(e) => (Config::default(), Some(e)),
            },
            Err(e) if e.is_not_found() => (Config::default(), None),
            Err(e) => (
                Config::default(),
                Some(format!(
                    "cannot read config file {e}; using the defaults (move it away, or fix it: `appmesh-tui config example`)"
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

    #[test]
    fn fifos_devices_and_huge_files_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("config.toml");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let (c, msg) = Config::load_from(Some(&fifo));
        assert_eq!(c, Config::default());
        let msg = msg.unwrap();
        assert!(
            msg.contains("config.toml is a FIFO") && msg.contains("defaults"),
            "{msg}"
        );
        let (_, msg) = Config::load_from(Some(Path::new("/dev/zero")));
        assert!(msg.unwrap().contains("character device"));
        let big = dir.path().join("big.toml");
        std::fs::write(&big, format!("# {}\n", "x".repeat(2 << 20))).unwrap();
        let (_, msg) = Config::load_from(Some(&big));
        assert!(msg.unwrap().contains("larger than 1 MiB"));
    }

    #[test]
    fn an_endpoint_that_is_not_a_url_is_a_mistake_on_its_line() {
        let e = Config::parse(
            "region = \"eu-west-1\"\nendpoint_url = \"notaurl\"\n",
            Path::new("/c/config.toml"),
        )
        .unwrap_err();
        assert!(
            e.contains("/c/config.toml:2") && e.contains("\"notaurl\" is not a URL"),
            "{e}"
        );
        let e = Config::parse("endpoint_url = \"ftp://admin:hunter2@h\"\n", Path::new("c"))
            .unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn a_region_or_profile_that_could_not_be_typed_is_a_mistake_on_its_line() {
        let e = Config::parse(
            "profile = \"p\"\nregion = \"us-east-1\\u001b[2J\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        assert!(e.starts_with("config file c.toml:2: region "), "{e}");
        assert!(e.contains("is not a region name"), "{e}");
        let e = Config::parse("profile = \"dev\\nprod\"\n", Path::new("c.toml")).unwrap_err();
        assert!(
            e.contains("c.toml:1") && e.contains("U+000A (line feed)"),
            "{e}"
        );
        assert!(
            Config::parse(
                "region = \"eu-west-1\"\nprofile = \"my prof\"\n",
                Path::new("c")
            )
            .is_ok()
        );
    }

    #[test]
    fn deeply_nested_toml_is_an_error_not_a_crash() {
        let deep = format!("profile = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(Config::parse(&deep, Path::new("c")).is_err());
    }
}
