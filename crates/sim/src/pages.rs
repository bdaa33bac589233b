//! The simulated platform's HTML, written the way a server-rendered app writes it.
//!
//! In: what a page shows (names, CSRF token, error messages). Out: complete HTML5
//! documents as strings, every interpolated value escaped.

use std::fmt::Write;

// For element content and either kind of quoted attribute: & < > " and '.
use html_escape::encode_quoted_attribute as escape;

use super::state::{MIN_PASSWORD, SYMBOLS};

/// The time zones on the signup form: `(value, label)`.
pub(super) const TIMEZONES: &[(&str, &str)] = &[
    ("Etc/UTC", "UTC"),
    ("Europe/London", "London"),
    ("Europe/Berlin", "Berlin"),
    ("America/New_York", "Eastern Time (US & Canada)"),
    ("Asia/Tokyo", "Tokyo"),
];
/// The time zone selected when the form is first shown.
pub(super) const DEFAULT_TIMEZONE: &str = "Etc/UTC";

/// The page frame: head, top bar with a search form, main content.
pub(super) fn layout(title: &str, csrf: Option<&str>, nav: &str, main: &str) -> String {
    let csrf_meta = csrf.map_or_else(String::new, |token| {
        format!(
            "  <meta name=\"csrf-param\" content=\"authenticity_token\">\n  \
             <meta name=\"csrf-token\" content=\"{}\">\n",
            escape(token)
        )
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n  \
         <title>{title} | Engage</title>\n{csrf_meta}  \
         <link rel=\"stylesheet\" href=\"/assets/application.css\">\n</head>\n<body>\n\
         <header class=\"navbar\">\n  <a class=\"brand\" href=\"/\">Engage</a>\n  \
         <form class=\"search\" role=\"search\" action=\"/help/search\" method=\"get\">\
         <input type=\"search\" name=\"q\" placeholder=\"Search help\" aria-label=\"Search help\">\
         </form>\n{nav}</header>\n<main class=\"container\">\n{main}</main>\n\
         <footer><a href=\"/terms\">Terms</a> · <a href=\"/privacy\">Privacy</a></footer>\n\
         </body>\n</html>\n",
        title = escape(title),
    )
}

/// A page that only says something (errors, expired links).
pub(super) fn message(title: &str, text: &str, link: Option<(&str, &str)>) -> String {
    let link = link.map_or_else(String::new, |(href, label)| {
        format!(
            "  <p><a class=\"btn\" href=\"{}\">{}</a></p>\n",
            escape(href),
            escape(label)
        )
    });
    let main = format!(
        "<div class=\"notice\">\n  <h1>{}</h1>\n  <p class=\"message\">{}</p>\n{link}</div>\n",
        escape(title),
        escape(text)
    );
    layout(title, None, "", &main)
}

fn alert(errors: &[String]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let mut out = String::from("<div class=\"alert alert-danger\" role=\"alert\">\n");
    if errors.len() > 1 {
        let _ = writeln!(
            out,
            "  <p>{} errors prohibited this account from being saved:</p>",
            errors.len()
        );
    }
    out.push_str("  <ul>\n");
    for error in errors {
        let _ = writeln!(out, "    <li>{}</li>", escape(error));
    }
    out.push_str("  </ul>\n</div>\n");
    out
}

/// What the signup form shows.
pub(super) struct SignupView<'a> {
    pub csrf: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    /// The inviter's address, carried in a hidden input ([`super::Behaviour::ShowsInviter`]).
    pub inviter: Option<&'a str>,
    pub timezone: &'a str,
    pub errors: &'a [String],
    /// `maxlength` of the password inputs.
    pub max_length: usize,
    /// Whether to add a `pattern` saying which characters are allowed.
    pub pattern: bool,
    /// Errors beside their fields instead of in a list above the form, and a standing
    /// "Already have an account? Sign in" ([`super::Behaviour::StandingSignInHint`]).
    pub field_errors: bool,
    /// The phone number field's value, when the form asks for one
    /// ([`super::Behaviour::RequiresPhone`]).
    pub phone: Option<&'a str>,
}

impl SignupView<'_> {
    /// The errors about the password, when they are shown beside the field.
    fn password_errors(&self) -> Vec<&String> {
        let errors = self.errors.iter();
        errors
            .filter(|e| self.field_errors && e.starts_with("Password "))
            .collect()
    }

    /// The errors shown in the list above the form.
    fn listed_errors(&self) -> Vec<String> {
        let password = self.password_errors();
        let others = self.errors.iter().filter(|e| !password.contains(e));
        others.cloned().collect()
    }
}

const LOCALE_PICKER: &str = "<form class=\"locale-picker\" action=\"/locale\" method=\"get\">\n  \
    <label for=\"locale\">Language</label>\n  <select name=\"locale\" id=\"locale\">\
    <option value=\"en\" selected>English</option><option value=\"de\">Deutsch</option>\
    <option value=\"fr\">Fran\u{e7}ais</option></select>\n  \
    <button type=\"submit\">Change</button>\n</form>\n";

fn timezone_select(selected: &str) -> String {
    let mut out = String::from("<select name=\"timezone\" id=\"timezone\">");
    for (value, label) in TIMEZONES {
        let chosen = if *value == selected { " selected" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{value}\"{chosen}>{}</option>",
            escape(label)
        );
    }
    out.push_str("</select>");
    out
}

/// The HTML `pattern` a form states for passwords of at most `max_length` characters.
pub(super) fn password_pattern(max_length: usize) -> String {
    format!(
        "[A-Za-z0-9{SYMBOLS}]{{{},{max_length}}}",
        MIN_PASSWORD.min(max_length)
    )
}

fn password_input(name: &str, label: &str, view: &SignupView<'_>) -> String {
    let pattern = if view.pattern {
        format!(
            " pattern=\"{}\"",
            escape(&password_pattern(view.max_length))
        )
    } else {
        String::new()
    };
    // As Bootstrap forms show a field's error: beside it, tied to it for screen readers.
    let errors = view.password_errors();
    let (invalid, feedback) = if name == "password" && !errors.is_empty() {
        let text: Vec<String> = errors.iter().map(|e| escape(e).into_owned()).collect();
        (
            format!(
                " class=\"is-invalid\" aria-invalid=\"true\" aria-describedby=\"{name}-error\""
            ),
            format!(
                "\n    <div class=\"invalid-feedback\" id=\"{name}-error\">{}</div>",
                text.join(" ")
            ),
        )
    } else {
        (String::new(), String::new())
    };
    format!(
        "  <div class=\"field\">\n    <label for=\"{name}\">{label}</label>\n    \
         <input type=\"password\" name=\"{name}\" id=\"{name}\" required \
         minlength=\"{min}\" maxlength=\"{max}\"{pattern}{invalid} \
         autocomplete=\"new-password\">{feedback}\n  </div>\n",
        min = MIN_PASSWORD.min(view.max_length),
        max = view.max_length,
    )
}

fn text_field(name: &str, label: &str, value: &str, extra: &str) -> String {
    format!(
        "  <div class=\"field\">\n    <label for=\"{name}\">{label}</label>\n    \
         <input {extra} name=\"{name}\" id=\"{name}\" value=\"{}\">\n  </div>\n",
        escape(value)
    )
}

/// The signup page: a language picker, then `form#signup`.
pub(super) fn signup(view: &SignupView<'_>) -> String {
    let mut form = format!(
        "<form id=\"signup\" class=\"new_user\" action=\"/signup\" accept-charset=\"UTF-8\" \
         method=\"post\">\n  <input type=\"hidden\" name=\"authenticity_token\" value=\"{}\" \
         autocomplete=\"off\">\n",
        escape(view.csrf)
    );
    form += &text_field(
        "first_name",
        "First name",
        view.first_name,
        "type=\"text\" autocomplete=\"given-name\" required",
    );
    form += &text_field(
        "last_name",
        "Last name",
        view.last_name,
        "type=\"text\" autocomplete=\"family-name\" required",
    );
    if let Some(inviter) = view.inviter {
        let _ = writeln!(
            form,
            "  <input type=\"hidden\" name=\"inviter_email\" value=\"{}\">",
            escape(inviter)
        );
    }
    form += &text_field("email", "Email", view.email, "type=\"email\" readonly");
    if let Some(phone) = view.phone {
        form += &text_field(
            "phone",
            "Mobile phone",
            phone,
            "type=\"tel\" autocomplete=\"tel\" required",
        );
    }
    let _ = write!(
        form,
        "  <div class=\"field\">\n    <label for=\"timezone\">Time zone</label>\n    {}\n  </div>\n",
        timezone_select(view.timezone)
    );
    form += &password_input("password", "Password", view);
    let _ = writeln!(
        form,
        "  <p class=\"hint\">{MIN_PASSWORD}\u{2013}{} characters, with upper and lower case \
         letters, digits and symbols ({}).</p>",
        view.max_length,
        escape(SYMBOLS)
    );
    form += &password_input("password_confirmation", "Confirm password", view);
    // Like Rails' check_box helper: the hidden 0 is sent when the box is not ticked.
    form += "  <div class=\"field check\">\n    \
             <input name=\"accept_terms\" type=\"hidden\" value=\"0\" autocomplete=\"off\">\
             <input type=\"checkbox\" name=\"accept_terms\" id=\"accept_terms\" value=\"1\" required>\n    \
             <label for=\"accept_terms\">I accept the <a href=\"/terms\">terms of service</a></label>\n  </div>\n";
    form += "  <div class=\"actions\">\n    <button type=\"submit\" name=\"commit\" \
             value=\"Create account\" class=\"btn btn-primary\" \
             data-disable-with=\"Creating account\u{2026}\">Create account</button>\n  </div>\n\
             </form>\n";
    if view.field_errors {
        form += "<p class=\"signin-hint\">Already have an account? <a href=\"/login\">Sign in</a></p>\n";
    }
    let main = format!(
        "{LOCALE_PICKER}<h1>Complete your registration</h1>\n\
         <p>You have been invited to Engage. Check your details and choose a password.</p>\n\
         {}{form}",
        alert(&view.listed_errors())
    );
    layout("Sign up", Some(view.csrf), "", &main)
}

/// The signup page of a JavaScript application: a shell and a script, no form.
pub(super) fn spa_shell(csrf: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
         <title>Engage</title>\n  <meta name=\"csrf-token\" content=\"{}\">\n  \
         <script defer src=\"/assets/application.js\"></script>\n</head>\n<body>\n  \
         <noscript>You need to enable JavaScript to run this app.</noscript>\n  \
         <div id=\"root\"></div>\n</body>\n</html>\n",
        escape(csrf)
    )
}

/// The app shell of the script-built frontend: no form, a mount point and scripts
/// (the app's own and, when set, a third party's).
pub(super) fn app_shell(csrf: &str, third_party_script: Option<&str>) -> String {
    let third_party = third_party_script.map_or_else(String::new, |src| {
        format!("  <script async src=\"{}\"></script>\n", escape(src))
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n  \
         <title>Engage</title>\n  <meta name=\"csrf-token\" content=\"{}\">\n  \
         <link rel=\"stylesheet\" href=\"/assets/application.css\">\n  \
         <script defer src=\"/assets/app.js\"></script>\n{third_party}</head>\n<body>\n  \
         <noscript>You need to enable JavaScript to run this app.</noscript>\n  \
         <div id=\"app\"></div>\n</body>\n</html>\n",
        escape(csrf)
    )
}

/// The login page.
pub(super) fn login(csrf: &str, email: &str, error: Option<&str>) -> String {
    let errors: Vec<String> = error.map(str::to_owned).into_iter().collect();
    let main = format!(
        "<h1>Log in</h1>\n{}<form id=\"login\" action=\"/login\" method=\"post\">\n  \
         <input type=\"hidden\" name=\"authenticity_token\" value=\"{csrf}\">\n{}{}  \
         <button type=\"submit\" name=\"commit\" value=\"Log in\">Log in</button>\n</form>\n",
        alert(&errors),
        text_field(
            "email",
            "Email",
            email,
            "type=\"email\" autocomplete=\"username\" required"
        ),
        "  <div class=\"field\">\n    <label for=\"password\">Password</label>\n    \
         <input type=\"password\" name=\"password\" id=\"password\" required \
         autocomplete=\"current-password\">\n  </div>\n",
        csrf = escape(csrf),
    );
    layout("Log in", Some(csrf), "", &main)
}

/// The home page of a logged-in user.
pub(super) fn home(first_name: &str, csrf: &str) -> String {
    let nav = format!(
        "<nav class=\"user-nav\">\n  <a href=\"/home\">Home</a>\n  <a href=\"/profile\">Profile</a>\n  \
         <form class=\"button_to\" action=\"/logout\" method=\"post\">\
         <input type=\"hidden\" name=\"authenticity_token\" value=\"{}\">\
         <button type=\"submit\" class=\"logout\">Log out</button></form>\n</nav>\n",
        escape(csrf)
    );
    let main = format!(
        "<h1 class=\"welcome\">Welcome, {}!</h1>\n<p>Your account is ready.</p>\n",
        escape(first_name)
    );
    layout("Home", Some(csrf), &nav, &main)
}

/// The stylesheet every page links.
pub(super) const STYLESHEET: &str = "body{font-family:sans-serif;margin:0}\
    .navbar{display:flex;gap:1em;padding:.5em 1em;background:#234;color:#fff}\
    .container{max-width:40em;margin:2em auto}.field{margin:.75em 0}\
    .alert-danger{background:#fdd;border:1px solid #c66;padding:.5em}\n";

/// The script of the JavaScript-only signup page.
pub(super) const SCRIPT: &str = "document.getElementById('root').textContent = \
    'Loading\u{2026}';\n";
