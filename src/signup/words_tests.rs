//! Sign-in detection and flash messages, one test per language, on pages written as
//! platforms in that language write them (not built from the table), plus the
//! structural signals that need no words at all.

use scraper::Html;
use url::Url;

use super::*;
use crate::config::AllowedHost;
use crate::reason::Reason;
use crate::signup::form::{self, SIGN_IN_ONLY};
use crate::signup::page::{self, Fetched, Stage};
use crate::signup::tests::platform_with_hosts;

fn platform() -> crate::config::Platform {
    platform_with_hosts(vec![AllowedHost::parse("app.example.com").unwrap()])
}

/// A sign-in page with one email and one password field, no `autocomplete`, posting to
/// a path that says nothing, its button saying `button`, and a flash message.
fn sign_in_page(button: &str, flash: &str) -> String {
    format!(
        r#"<!doctype html><html><body><div class="flash" role="alert">{flash}</div>
        <form action="/s/1" method="post"><input type="hidden" name="csrf" value="x">
        <input type="email" name="u[email]" value=""><input type="password" name="u[pw]">
        <button type="submit">{button}</button></form></body></html>"#
    )
}

fn form_of(html: &str) -> Result<form::FormSpec, String> {
    let url = Url::parse("https://app.example.com/s").unwrap();
    form::find(&Html::parse_document(html), &url, &platform())
}

fn reason_of(html: &str) -> Reason {
    let fetched = Fetched {
        status: 200,
        url: Url::parse("https://app.example.com/s").unwrap(),
        retry_after: None,
        body: html.to_owned(),
    };
    page::failure(&page::read(&platform(), &fetched), Stage::Invite).reason
}

/// `button` makes a sign-in form; `expired` and `registered`, shown on it after an
/// invite, read as `link_expired` and `already_registered`.
fn check(code: &str, button: &str, expired: &str, registered: &str) {
    assert!(
        WORDS.iter().any(|w| w.code == code),
        "{code} is in the table"
    );
    let page = sign_in_page(button, "");
    assert_eq!(
        form_of(&page).unwrap_err(),
        SIGN_IN_ONLY,
        "{code}: {button}"
    );
    let expired_page = sign_in_page(button, expired);
    assert_eq!(
        reason_of(&expired_page),
        Reason::LinkExpired,
        "{code}: {expired}"
    );
    let registered_page = sign_in_page(button, registered);
    assert_eq!(
        reason_of(&registered_page),
        Reason::AlreadyRegistered,
        "{code}: {registered}"
    );
}

#[test]
fn en() {
    check(
        "en",
        "Log in",
        "This invitation has already been accepted. Please log in.",
        "An account already exists for this email address.",
    );
}

#[test]
fn fr() {
    check(
        "fr",
        "Se connecter",
        "Cette invitation a déjà été acceptée. Veuillez vous connecter.",
        "Vous avez déjà un compte avec cette adresse.",
    );
}

#[test]
fn de() {
    check(
        "de",
        "Anmelden",
        "Diese Einladung wurde bereits angenommen. Bitte melden Sie sich an.",
        "Für diese E-Mail-Adresse gibt es bereits ein Konto.",
    );
}

#[test]
fn es() {
    check(
        "es",
        "Iniciar sesión",
        "Esta invitación ya ha sido aceptada.",
        "Ya tienes una cuenta con este correo electrónico.",
    );
}

#[test]
fn it() {
    check(
        "it",
        "Accedi",
        "Questo invito è scaduto. Chiedi un nuovo invito.",
        "Esiste già un account con questo indirizzo email.",
    );
}

#[test]
fn pt() {
    check(
        "pt",
        "Entrar",
        "Este convite já foi aceito. Faça login para continuar.",
        "Você já tem uma conta com este e-mail.",
    );
}

#[test]
fn nl() {
    check(
        "nl",
        "Inloggen",
        "Deze uitnodiging is al geaccepteerd.",
        "Je hebt al een account? Dit e-mailadres is al geregistreerd.",
    );
}

#[test]
fn sv() {
    check(
        "sv",
        "Logga in",
        "Inbjudan har redan använts.",
        "Du har redan ett konto med den här adressen.",
    );
}

#[test]
fn da() {
    check(
        "da",
        "Log ind",
        "Invitationen er udløbet. Bed om en ny.",
        "Du har allerede en konto.",
    );
}

#[test]
fn nb() {
    check(
        "nb",
        "Logg inn",
        "Invitasjonen er allerede brukt.",
        "Du har allerede en konto.",
    );
}

#[test]
fn pl() {
    check(
        "pl",
        "Zaloguj się",
        "To zaproszenie wygasło.",
        "Masz już konto? Zaloguj się.",
    );
}

#[test]
fn cs() {
    check(
        "cs",
        "Přihlásit se",
        "Tato pozvánka již byla použita.",
        "Účet s tímto e-mailem již existuje.",
    );
}

#[test]
fn ja() {
    check(
        "ja",
        "ログイン",
        "この招待はすでに承認されています。",
        "このメールアドレスはすでに登録されています。",
    );
}

#[test]
fn zh() {
    check(
        "zh",
        "登录",
        "该邀请已过期，请联系管理员。",
        "该邮箱已注册，请直接登录。",
    );
}

#[test]
fn ru() {
    check(
        "ru",
        "Войти",
        "Это приглашение уже принято. Войдите в систему.",
        "Пользователь с таким email уже зарегистрирован.",
    );
}

/// A sign-in form told by its structure, with a button in a language the table lacks.
#[test]
fn structure_alone_tells_a_sign_in_form() {
    let form = |action: &str, extra: &str| {
        format!(
            r#"<form action="{action}" method="post"><input type="email" name="e" value="a@b.c">
            <input type="password" name="p" {extra}><button>Sisene</button></form>"#
        )
    };
    for action in [
        "/login",
        "/users/sign_in",
        "/session",
        "https://app.example.com/sessions?next=/x",
        "/accounts/login/",
        "/api/auth",
        "/login.php",
    ] {
        assert_eq!(
            form_of(&form(action, "")).unwrap_err(),
            SIGN_IN_ONLY,
            "{action}"
        );
    }
    let current = form("/x", r#"autocomplete="current-password""#);
    assert_eq!(form_of(&current).unwrap_err(), SIGN_IN_ONLY);
    for link in [
        r#"<a href="/users/password/new">?</a>"#,
        r#"<a href="/forgot-password">?</a>"#,
        r#"<a href="/x">Salasana unohtunut? Forgot password?</a>"#,
    ] {
        let html = form("/x", "").replace("</form>", &format!("{link}</form>"));
        assert_eq!(form_of(&html).unwrap_err(), SIGN_IN_ONLY, "{link}");
    }
}

#[test]
fn signup_forms_stay_signup_forms() {
    for (action, extra, button) in [
        // One password field, nothing saying sign in.
        ("/signup", "", "Create account"),
        ("/auth/register", "", "Registrieren"),
        ("/invitations/accept", "", "Join Central"),
        ("/x", "", "Continue signing up"),
        ("/x", "", "Konto erstellen"),
        ("/x", "", "Jetzt kostenlos anmelden"),
        ("/x", "", "Entra nel team"),
        // new-password wins over a sign-in path or word.
        ("/login", r#"autocomplete="new-password""#, "Log in"),
    ] {
        let html = format!(
            r#"<form action="{action}" method="post"><input type="email" name="e" value="a@b.c">
            <input type="password" name="p" {extra}><button>{button}</button></form>"#
        );
        assert!(form_of(&html).is_ok(), "{action} {extra} {button}");
    }
}
