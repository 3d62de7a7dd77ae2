//! The files view's commands against the local cloud's bucket: list, upload through the
//! picker path (preset picks, as in the end-to-end run), download, delete; guest mode; pause,
//! resume and cancel; uploads journaled by an earlier run offered again.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::harness::{TestApp, PICKED};

const EMAIL: &str = "files@example.com";
const PASSWORD: &str = "Correct-Horse-9";

fn signed_in_app() -> TestApp {
    let app = TestApp::start();
    app.sign_up_and_confirm(EMAIL, PASSWORD);
    app.sign_in(EMAIL, PASSWORD);
    app
}

/// Polls `list_uploads` until every upload has left `running`.
fn settled_uploads(app: &TestApp, mode: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let uploads: Vec<Value> = app
            .call("list_uploads", Some(json!({"mode": mode})))
            .unwrap();
        if uploads.iter().all(|upload| upload["state"] != "running") {
            return uploads;
        }
        assert!(
            Instant::now() < deadline,
            "uploads still running: {uploads:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn list(app: &TestApp, mode: &str, dir: &str) -> Value {
    app.call("list_files", Some(json!({"mode": mode, "dir": dir})))
        .unwrap()
}

#[test]
fn upload_list_download_and_delete_own_files() {
    let app = signed_in_app();
    let empty = list(&app, "signedIn", "");
    assert_eq!(empty["files"], json!([]));
    let prefix = empty["prefix"].as_str().unwrap().to_owned();
    assert!(
        prefix.starts_with("private/") && prefix.ends_with('/'),
        "{prefix}"
    );

    let picked = app.local.join("picked");
    std::fs::write(picked.join(PICKED[0]), b"hello, coffer\n").unwrap();
    std::fs::write(picked.join(PICKED[1]), vec![7u8; 70_000]).unwrap();
    let started: Vec<Value> = app
        .call(
            "pick_and_upload",
            Some(json!({"mode": "signedIn", "dir": "docs"})),
        )
        .unwrap();
    assert_eq!(started.len(), 2, "{started:?}");
    assert_eq!(started[0]["key"], "docs/one.txt");
    assert_eq!(started[1]["key"], "docs/two words é.txt");
    assert_eq!(started[1]["bytesTotal"], 70_000);

    let uploads = settled_uploads(&app, "signedIn");
    assert_eq!(uploads.len(), 2);
    for upload in &uploads {
        assert_eq!(upload["state"], "completed", "{upload}");
        assert_eq!(upload["bytesDone"], upload["bytesTotal"]);
    }

    let top = list(&app, "signedIn", "");
    assert_eq!(top["directories"], json!(["docs/"]));
    let docs = list(&app, "signedIn", "docs");
    let names: Vec<&str> = docs["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["one.txt", "two words é.txt"]);
    assert_eq!(docs["files"][1]["size"], 70_000);
    assert!(docs["files"][0]["modified"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    let saved: Option<String> = app
        .call(
            "download_file",
            Some(json!({"mode": "signedIn", "key": "docs/two words é.txt"})),
        )
        .unwrap();
    let saved = saved.expect("the preset save dialog answers");
    assert_eq!(std::fs::read(&saved).unwrap(), vec![7u8; 70_000]);

    app.call::<Value>(
        "delete_file",
        Some(json!({"mode": "signedIn", "key": "docs/one.txt"})),
    )
    .unwrap();
    let docs = list(&app, "signedIn", "docs");
    assert_eq!(docs["files"].as_array().unwrap().len(), 1);
    let again = app
        .invoke_raw(
            "delete_file",
            Some(json!({"mode": "signedIn", "key": "docs/one.txt"})),
        )
        .unwrap_err();
    // The role may list only under an `s3:prefix` condition, so S3 answers a missing key with
    // 403, as on AWS: "missing or unreadable".
    assert_eq!(again["code"], "missing_or_unreadable");

    // A key that would leave the prefix is refused before any request.
    let escape = app
        .invoke_raw(
            "delete_file",
            Some(json!({"mode": "signedIn", "key": "../other/x"})),
        )
        .unwrap_err();
    assert_eq!(escape["code"], "dot_segment", "{escape}");

    // Guests do not see the signed-in user's uploads; after sign-out, nor does the next user.
    let guest_uploads: Vec<Value> = app
        .call("list_uploads", Some(json!({"mode": "guest"})))
        .unwrap();
    assert_eq!(guest_uploads, Vec::<Value>::new());
    app.call::<Value>("sign_out", None).unwrap();
    app.call::<Value>(
        "sign_in",
        Some(json!({"username": EMAIL, "password": PASSWORD})),
    )
    .unwrap();
    let uploads: Vec<Value> = app
        .call("list_uploads", Some(json!({"mode": "signedIn"})))
        .unwrap();
    assert_eq!(
        uploads,
        Vec::<Value>::new(),
        "completed uploads leave no journal to resume"
    );
}

#[test]
fn signed_in_files_need_a_sign_in_and_are_forgotten_at_sign_out() {
    let app = TestApp::start();
    let error = app
        .invoke_raw("list_files", Some(json!({"mode": "signedIn", "dir": ""})))
        .unwrap_err();
    assert_eq!(error["code"], "not_signed_in", "{error}");

    let app = signed_in_app();
    list(&app, "signedIn", "");
    app.call::<Value>("sign_out", None).unwrap();
    let error = app
        .invoke_raw("list_files", Some(json!({"mode": "signedIn", "dir": ""})))
        .unwrap_err();
    assert_eq!(error["code"], "not_signed_in", "{error}");
}

#[test]
fn a_guest_uploads_to_its_own_guest_prefix_without_signing_in() {
    let app = TestApp::start();
    let listing = list(&app, "guest", "");
    let prefix = listing["prefix"].as_str().unwrap();
    assert!(prefix.starts_with("guest/"), "{prefix}");
    std::fs::write(app.local.join("picked").join(PICKED[0]), b"guest bytes").unwrap();
    let started: Vec<Value> = app
        .call("pick_and_upload", Some(json!({"mode": "guest", "dir": ""})))
        .unwrap();
    assert_eq!(
        started.len(),
        1,
        "only the picked file that exists: {started:?}"
    );
    assert_eq!(started[0]["mode"], "guest");
    let uploads = settled_uploads(&app, "guest");
    assert_eq!(uploads[0]["state"], "completed", "{uploads:?}");
    let listing = list(&app, "guest", "");
    assert_eq!(listing["files"][0]["key"], "one.txt");
    assert_eq!(listing["files"][0]["size"], 11);
}

#[test]
fn unknown_uploads_and_wrong_states_have_their_own_codes() {
    let app = TestApp::start();
    let error = app
        .invoke_raw("pause_upload", Some(json!({"id": 999})))
        .unwrap_err();
    assert_eq!(error["code"], "upload_not_found");
    std::fs::write(app.local.join("picked").join(PICKED[0]), b"x").unwrap();
    let started: Vec<Value> = app
        .call("pick_and_upload", Some(json!({"mode": "guest", "dir": ""})))
        .unwrap();
    settled_uploads(&app, "guest");
    let id = started[0]["id"].clone();
    let error = app
        .invoke_raw("resume_upload", Some(json!({"id": id})))
        .unwrap_err();
    assert_eq!(error["code"], "upload_not_resumable");
    let error = app
        .invoke_raw("pause_upload", Some(json!({"id": id})))
        .unwrap_err();
    assert_eq!(error["code"], "upload_not_running");
}

#[test]
fn signing_in_after_guest_use_moves_the_guest_files_into_the_users_own() {
    let app = TestApp::start();
    let picked = app.local.join("picked");
    std::fs::write(picked.join(PICKED[0]), b"first").unwrap();
    std::fs::write(picked.join(PICKED[1]), b"second").unwrap();
    app.call::<Vec<Value>>("pick_and_upload", Some(json!({"mode": "guest", "dir": ""})))
        .unwrap();
    settled_uploads(&app, "guest");
    let guest_prefix = list(&app, "guest", "")["prefix"]
        .as_str()
        .unwrap()
        .to_owned();

    app.sign_up_and_confirm(EMAIL, PASSWORD);
    app.sign_in(EMAIL, PASSWORD);
    let adoption: Value = app.call("adopt_guest_files", None).unwrap();
    assert_eq!(
        adoption["moved"],
        json!([PICKED[0], PICKED[1]]),
        "{adoption}"
    );
    assert_eq!(adoption["left"], json!([]));
    let own = list(&app, "signedIn", "");
    assert_eq!(
        own["prefix"].as_str().unwrap()["private/".len()..],
        guest_prefix["guest/".len()..],
        "the same identity"
    );
    let names: Vec<&str> = own["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["key"].as_str().unwrap())
        .collect();
    assert_eq!(names, [PICKED[0], PICKED[1]]);

    // Nothing is left to do afterwards.
    let again: Value = app.call("adopt_guest_files", None).unwrap();
    assert_eq!(again, Value::Null);
}

#[test]
fn an_upload_to_a_taken_name_is_refused_and_replace_replaces_it() {
    let app = TestApp::start();
    let picked = app.local.join("picked").join(PICKED[0]);
    std::fs::write(&picked, b"first").unwrap();
    app.call::<Vec<Value>>("pick_and_upload", Some(json!({"mode": "guest", "dir": ""})))
        .unwrap();
    let first = settled_uploads(&app, "guest");
    assert_eq!(first[0]["state"], "completed", "{first:?}");

    std::fs::write(&picked, b"second, longer").unwrap();
    let started: Vec<Value> = app
        .call("pick_and_upload", Some(json!({"mode": "guest", "dir": ""})))
        .unwrap();
    let id = started[0]["id"].clone();
    let uploads = settled_uploads(&app, "guest");
    let refused = uploads.iter().find(|u| u["id"] == id).unwrap();
    assert_eq!(refused["state"], "failed", "{refused}");
    assert_eq!(refused["error"]["code"], "already_exists", "{refused}");
    assert_eq!(
        list(&app, "guest", "")["files"][0]["size"],
        5,
        "nothing was replaced"
    );

    let error = app
        .invoke_raw("replace_upload", Some(json!({"id": first[0]["id"]})))
        .unwrap_err();
    assert_eq!(error["code"], "upload_not_replaceable");
    let event: Value = app.call("replace_upload", Some(json!({"id": id}))).unwrap();
    assert_eq!(event["state"], "running");
    let uploads = settled_uploads(&app, "guest");
    let replaced = uploads.iter().find(|u| u["id"] == id).unwrap();
    assert_eq!(replaced["state"], "completed", "{replaced}");
    assert_eq!(list(&app, "guest", "")["files"][0]["size"], 14);
}
