//! Fuzzes the infrastructure-code readers (`iac::import::read_texts`): CloudFormation YAML and
//! JSON, Terraform HCL and Kubernetes manifests. The first byte picks the file name (and so the
//! reader); the rest is the file's text. Any panic, or a problem list past its cap, is a bug.
#![no_main]

use appmesh_tui::iac::{self, ImportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = ["t.yaml", "t.json", "main.tf", "k8s.yaml"][usize::from(pick) % 4];
    let text = String::from_utf8_lossy(rest).into_owned();
    let res = iac::import::read_texts(&[(name.to_string(), text)], &ImportOptions::default());
    assert!(res.problems.len() <= iac::import::MAX_PROBLEMS + 2);
});
