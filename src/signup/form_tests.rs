use scraper::Html;
use url::Url;

use super::*;
use crate::config::AllowedHost;
use crate::secret::Secret;
use crate::signup::tests::platform_with_hosts;

fn platform() -> Platform {
    platform_with_hosts(vec![AllowedHost::parse("engage.example.com").unwrap()])
}

fn page_url() -> Url {
    Url::parse("https://engage.example.com/users/sign_up?invitation=tok").unwrap()
}

fn find_in(html: &str, platform: &Platform) -> Result<FormSpec, String> {
    find(&Html::parse_document(html), &page_url(), platform)
}

fn values(form: &FormSpec) -> Vec<(String, String)> {
    form.redacted_fields()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

const ENGAGE_LIKE: &str = r#"<!doctype html><html><head><title>Sign up</title></head><body>
<form action="/search" method="get"><input name="q"><button>Search</button></form>
<form id="signup" action="/users" method="post" accept-charset="UTF-8">
  <input type="hidden" name="authenticity_token" value="csrf-123">
  <input type="text" name="user[first_name]" value="Ada">
  <input type="text" name="user[last_name]" value="Lovelace">
  <input type="email" name="user[email]" value="ada@example.org" readonly>
  <select name="user[language]">
    <option value="de">Deutsch</option>
    <option value="en" selected>English</option>
  </select>
  <input type="password" name="user[password]" minlength="8" maxlength="14" required>
  <input type="password" name="user[password_confirmation]" maxlength="16">
  <label><input type="checkbox" name="accept_terms" value="1" required> I accept the terms</label>
  <input type="checkbox" name="newsletter" value="yes">
  <input type="submit" name="commit" value="Create account">
  <input type="submit" name="other" value="Not this one">
</form></body></html>"#;

#[test]
fn engage_like_form_keeps_prefilled_values_in_order() {
    let mut platform = platform();
    platform.tick_checkboxes = vec!["accept_terms".to_owned()];
    let form = find_in(ENGAGE_LIKE, &platform).unwrap();
    assert_eq!(form.action.as_str(), "https://engage.example.com/users");
    assert_eq!(form.method, Method::Post);
    assert_eq!(form.enctype, Enctype::UrlEncoded);
    assert_eq!(form.login.as_deref(), Some("ada@example.org"));
    assert!(form.blockers.is_empty(), "{:?}", form.blockers);
    assert_eq!(
        values(&form),
        pairs(&[
            ("authenticity_token", "csrf-123"),
            ("user[first_name]", "Ada"),
            ("user[last_name]", "Lovelace"),
            ("user[email]", "ada@example.org"),
            ("user[language]", "en"),
            ("user[password]", REDACTED),
            ("user[password_confirmation]", REDACTED),
            ("accept_terms", "1"),
            ("commit", "Create account"),
        ])
    );
    assert_eq!(form.password_rules.min_length, Some(8));
    assert_eq!(form.password_rules.max_length, Some(14));
}

#[test]
fn required_checkbox_not_named_blocks_submission() {
    let form = find_in(ENGAGE_LIKE, &platform()).unwrap();
    assert_eq!(form.blockers.len(), 1, "{:?}", form.blockers);
    let blocker = &form.blockers[0];
    assert!(
        blocker.contains("\"accept_terms\"") && blocker.contains("tick_checkboxes"),
        "{blocker}"
    );
    assert!(blocker.contains("I accept the terms"), "{blocker}");
    assert!(!values(&form).iter().any(|(n, _)| n == "accept_terms"));
}

#[test]
fn submission_body_is_urlencoded_with_the_password() {
    let mut platform = platform();
    platform.tick_checkboxes = vec!["accept_terms".to_owned()];
    let form = find_in(ENGAGE_LIKE, &platform).unwrap();
    let submission = form.submission(&Secret::new("Pa ss&w=rd1!"));
    assert_eq!(submission.method, Method::Post);
    assert_eq!(
        submission.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let body = String::from_utf8(submission.body.to_vec()).unwrap();
    let decoded: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert!(decoded.contains(&("user[password]".to_owned(), "Pa ss&w=rd1!".to_owned())));
    assert!(decoded.contains(&(
        "user[password_confirmation]".to_owned(),
        "Pa ss&w=rd1!".to_owned()
    )));
    assert!(decoded.contains(&("authenticity_token".to_owned(), "csrf-123".to_owned())));
}

#[test]
fn profile_selector_and_password_fields_choose() {
    let html = r#"<form id="a"><input type="password" name="pin"></form>
        <form id="b" action="create"><input type="email" name="login" value="x@y.z">
        <input type="password" name="pw"><input type="password" name="pw2"></form>"#;
    let mut platform = platform();
    platform.signup_form = Some(crate::config::CssSelector::parse("form#b").unwrap());
    platform.password_fields = vec!["pw".to_owned()];
    let form = find_in(html, &platform).unwrap();
    assert_eq!(
        values(&form),
        pairs(&[("login", "x@y.z"), ("pw", REDACTED), ("pw2", "")])
    );
    assert_eq!(
        form.action.as_str(),
        "https://engage.example.com/users/create"
    );
    assert_eq!(form.method, Method::Get);
    platform.password_fields = vec!["password".to_owned()];
    let err = find_in(html, &platform).unwrap_err();
    assert!(err.contains("no field named password"), "{err}");
    platform.signup_form = Some(crate::config::CssSelector::parse("#nothing").unwrap());
    assert!(find_in(html, &platform).unwrap_err().contains("#nothing"));
    platform.signup_form = Some(crate::config::CssSelector::parse("input").unwrap());
    assert!(
        find_in(html, &platform)
            .unwrap_err()
            .contains("not a <form>")
    );
}

#[test]
fn empty_action_is_the_page_url_and_base_href_applies_otherwise() {
    let html = r#"<form method=POST><input type=password name=p></form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(form.action, page_url());
    let html = r#"<head><base href="https://engage.example.com/app/"></head>
        <form method=post action="signup?step=2"><input type=password name=p></form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(
        form.action.as_str(),
        "https://engage.example.com/app/signup?step=2"
    );
}

#[test]
fn disabled_unchecked_and_buttons_are_left_out() {
    let html = r#"<form method="post">
      <input name="a" value="1" disabled>
      <fieldset disabled><input name="b" value="2"></fieldset>
      <input type="checkbox" name="c" value="3">
      <input type="checkbox" name="d" checked>
      <input type="radio" name="r" value="x">
      <input type="radio" name="r" value="y" checked>
      <input type="reset" name="reset" value="r">
      <input type="button" name="btn" value="b">
      <input name="" value="nameless">
      <input type="password" name="p">
      <textarea name="t">line one
line two</textarea>
      <button type="button" name="js">JS</button>
      <button name="go" value="now">Go</button>
    </form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(
        values(&form),
        pairs(&[
            ("d", "on"),
            ("r", "y"),
            ("p", REDACTED),
            ("t", "line one\r\nline two"),
            ("go", "now"),
        ])
    );
    assert_eq!(form.login, None);
}

#[test]
fn selects_send_what_they_show() {
    let html = r#"<form><input type=password name=p>
      <select name="first"><option disabled>Pick</option><option>Plain  text</option></select>
      <select name="last"><option value="1" selected>1</option><option value="2" selected>2</option></select>
      <select name="multi" multiple><option value="a" selected>a</option><option value="b">b</option><option value="c" selected>c</option></select>
      <select name="listbox" size="3"><option value="z">z</option></select>
      <select name="empty"></select>
      <select name="group"><optgroup label="g" disabled><option value="g1">g1</option></optgroup><option value="ok">ok</option></select>
    </form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(
        values(&form),
        pairs(&[
            ("p", REDACTED),
            ("first", "Plain text"),
            ("last", "2"),
            ("multi", "a"),
            ("multi", "c"),
            ("group", "ok"),
        ])
    );
}

#[test]
fn controls_outside_the_form_join_by_form_attribute() {
    let html = r#"<form id="s" method="post"><input type="password" name="p">
        <input name="elsewhere" form="other" value="no"></form>
        <input name="outside" form="s" value="yes">"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(values(&form), pairs(&[("p", REDACTED), ("outside", "yes")]));
}

#[test]
fn login_comes_from_an_email_field_with_a_value() {
    let html = r#"<form><input name="user_email" value=""><input name="contact_email" value=" bo@example.org ">
        <input type="password" name="p"></form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(form.login.as_deref(), Some("bo@example.org"));
}

#[test]
fn hidden_email_inputs_are_never_the_login() {
    let html = r#"<form><input type="hidden" name="inviter_email" value="owner@platform.test">
        <div hidden><input type="email" name="other_email" value="x@platform.test"></div>
        <input type="email" name="email" value="ann@example.org" readonly>
        <input type="password" name="p"></form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(form.login.as_deref(), Some("ann@example.org"));
    assert!(form.blockers.is_empty(), "{:?}", form.blockers);
    let only_hidden = r#"<form><input type="hidden" name="email" value="owner@platform.test">
        <input type="password" name="p"></form>"#;
    assert_eq!(find_in(only_hidden, &platform()).unwrap().login, None);
}

#[test]
fn two_visible_addresses_or_a_bad_one_block_submission() {
    let two = r#"<form><input type="email" name="email" value="ann@example.org">
        <input name="email_confirmation" value="ANN@example.org">
        <input name="inviter_email" value="owner@platform.test">
        <input type="password" name="p"></form>"#;
    let form = find_in(two, &platform()).unwrap();
    assert_eq!(form.login, None);
    let all = form.blockers.join(" | ");
    assert!(all.contains("several email addresses"), "{all}");
    assert!(all.contains("owner@platform.test"), "{all}");
    for (value, why) in [
        ("ann@example.org&#1;x", "characters"),
        ("a@b@example.org", "more than one @"),
        ("no-at-sign", "no @"),
        ("@example.org", "not a complete"),
    ] {
        let html = format!(
            r#"<form><input type="email" name="email" value="{value}"><input type="password" name="p"></form>"#
        );
        let form = find_in(&html, &platform()).unwrap();
        assert_eq!(form.login, None, "{value:?}");
        let all = form.blockers.join(" ");
        assert!(all.contains(why), "{value:?}: {all}");
    }
    let mut named = platform();
    named.login_field = Some("inviter_email".to_owned());
    let form = find_in(two, &named).unwrap();
    assert_eq!(form.login.as_deref(), Some("owner@platform.test"));
}

#[test]
fn required_fields_left_empty_block_submission() {
    let html = r#"<form><input type="password" name="p" required>
        <input name="phone" required><input type="hidden" name="h" required>
        <input type="radio" name="plan" value="a" required><input type="radio" name="plan" value="b">
        <select name="country" required><option value="">Choose</option></select></form>"#;
    let form = find_in(html, &platform()).unwrap();
    let all = form.blockers.join(" | ");
    assert!(all.contains("\"phone\""), "{all}");
    assert!(all.contains("\"plan\""), "{all}");
    assert!(all.contains("\"country\""), "{all}");
    assert!(!all.contains("\"h\"") && !all.contains("\"p\""), "{all}");
}

#[test]
fn no_password_form_and_javascript_pages_are_not_found() {
    let err = find_in(
        r#"<html><body><div id="app"></div><script src="/app.js"></script></body></html>"#,
        &platform(),
    )
    .unwrap_err();
    assert!(err.contains("no form"), "{err}");
    assert!(find_in(r#"<form><input name="q"></form>"#, &platform()).is_err());
}

#[test]
fn get_forms_put_the_data_in_the_query() {
    let html = r#"<form action="/join?old=1"><input type=hidden name=t value="a b"><input type=password name=p></form>"#;
    let form = find_in(html, &platform()).unwrap();
    let submission = form.submission(&Secret::new("x"));
    assert_eq!(submission.method, Method::Get);
    assert_eq!(
        submission.url.as_str(),
        "https://engage.example.com/join?t=a+b&p=x"
    );
    assert!(submission.body.is_empty());
}

#[test]
fn multipart_and_submitter_overrides() {
    let html = r#"<form method="get" action="/a"><input type="hidden" name="we&quot;ird" value="v">
        <input type="password" name="p">
        <button formaction="/b" formmethod="post" formenctype="multipart/form-data">Go</button></form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(form.action.as_str(), "https://engage.example.com/b");
    assert_eq!(form.enctype, Enctype::Multipart);
    let submission = form.submission(&Secret::new("S3cret!"));
    let content_type = submission.content_type.clone().unwrap();
    let boundary = content_type.split("boundary=").nth(1).unwrap();
    let body = String::from_utf8(submission.body.to_vec()).unwrap();
    assert_eq!(
        body,
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"we%22ird\"\r\n\r\nv\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nS3cret!\r\n\
             --{boundary}--\r\n"
        )
    );
}

#[test]
fn password_patterns_are_collected() {
    let html = r#"<form><input type=password name=p pattern="[A-Za-z0-9!]{8,}" maxlength="20">
        <input type=password name=q minlength="10"></form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(
        form.password_rules,
        PageRules {
            min_length: Some(10),
            max_length: Some(20),
            patterns: vec!["[A-Za-z0-9!]{8,}".to_owned()],
        }
    );
}

#[test]
fn image_submit_sends_coordinates() {
    let html = r#"<form><input type=password name=p><input type=image name=go src=x.png></form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(
        values(&form),
        pairs(&[("p", REDACTED), ("go.x", "0"), ("go.y", "0")])
    );
}

#[test]
fn sign_in_forms_are_never_taken_for_the_signup_form() {
    let p = platform();
    let by_autocomplete = "<form action=/session method=post><input type=email name=email \
        value=a@b.test><input type=password name=pw autocomplete=current-password></form>";
    assert_eq!(find_in(by_autocomplete, &p).unwrap_err(), SIGN_IN_ONLY);
    let by_action = "<form action=/users/sign_in method=post><input type=email name=email>\
        <input type=password name=pw><button>Continue</button></form>";
    assert_eq!(find_in(by_action, &p).unwrap_err(), SIGN_IN_ONLY);
    // A sign-in form in the header does not hide the signup form after it.
    let both = format!(
        "{by_action}<form action=/users method=post><input type=email name=email \
         value=a@b.test><input type=password name=pw autocomplete=new-password>\
         <button>Log in after signing up</button></form>"
    );
    assert_eq!(find_in(&both, &p).unwrap().action.path(), "/users");
    // Password plus confirmation under a sign-in-sounding button is still a signup form.
    let confirm = "<form action=/join method=post><input type=password name=a>\
        <input type=password name=b><button>Sign in</button></form>";
    assert!(find_in(confirm, &p).is_ok());
}

#[test]
fn an_autocomplete_email_token_marks_the_login_whatever_the_name() {
    let html = "<form method=post><input type=text name=user[login] autocomplete=email \
        value=ada@example.test><input type=password name=pw autocomplete=new-password></form>";
    assert_eq!(
        find_in(html, &platform()).unwrap().login.as_deref(),
        Some("ada@example.test")
    );
}

#[test]
fn autocomplete_tokens_find_the_login_before_names() {
    // The token says email, with a section and a shipping prefix, in upper case; the
    // name says nothing.
    let html = r#"<form method="post"><input name="f1" autocomplete="section-a SHIPPING Email"
        value="ann@example.org"><input type="password" name="p"></form>"#;
    assert_eq!(
        find_in(html, &platform()).unwrap().login.as_deref(),
        Some("ann@example.org")
    );
    // A username field pre-filled with an address is the login; one holding a user name
    // is not, and does not make the email ambiguous.
    let html = r#"<form method="post"><input name="login" autocomplete="username"
        value="ann@example.org"><input type="password" name="p"></form>"#;
    assert_eq!(
        find_in(html, &platform()).unwrap().login.as_deref(),
        Some("ann@example.org")
    );
    let html = r#"<form method="post"><input name="handle" autocomplete="username" value="ann_l">
        <input type="email" name="mail" value="ann@example.org">
        <input type="password" name="p"></form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(form.login.as_deref(), Some("ann@example.org"));
    assert!(form.blockers.is_empty(), "{:?}", form.blockers);
    // A field whose token names something else is not the login, whatever its name.
    let html = r#"<form method="post"><input name="email_owner" autocomplete="organization"
        value="boss@example.org"><input type="email" name="e" value="ann@example.org">
        <input type="password" name="p"></form>"#;
    assert_eq!(
        find_in(html, &platform()).unwrap().login.as_deref(),
        Some("ann@example.org")
    );
}

#[test]
fn only_new_password_fields_take_the_password_beside_a_current_one() {
    let html = r#"<form method="post"><input type="email" name="e" value="ann@example.org">
        <label for="cur">Current password</label>
        <input type="password" id="cur" name="current" autocomplete="current-password" required>
        <input type="password" name="new" autocomplete="new-password">
        <input type="password" name="again" autocomplete="new-password"></form>"#;
    let form = find_in(html, &platform()).unwrap();
    assert_eq!(
        values(&form),
        pairs(&[
            ("e", "ann@example.org"),
            ("current", ""),
            ("new", REDACTED),
            ("again", REDACTED),
        ])
    );
    let all = form.blockers.join(" | ");
    assert!(
        all.contains("current password") && all.contains("Current password"),
        "{all}"
    );
    assert_eq!(form.unfilled[0].field, "current");
}

#[test]
fn a_one_time_code_field_is_never_filled_and_names_itself() {
    let html = r#"<form method="post"><input type="email" name="e" value="ann@example.org">
        <input name="otp" inputmode="numeric" autocomplete="one-time-code" aria-label="Code from your phone">
        <input type="password" name="p"></form>"#;
    let mut form = find_in(html, &platform()).unwrap();
    form.fill_names(Some("Ann Lee"));
    let all = form.blockers.join(" | ");
    assert!(all.contains("one-time code (Code from your phone"), "{all}");
    assert!(values(&form).contains(&("otp".to_owned(), String::new())));
}
