//! The signup itself: open the invite, fill the form, submit, judge the landing page.
//!
//! In: the profile, the invite URL, the options and the caller's [`SubmitGuard`]. Out:
//! the [`Account`] or a [`SignupFailure`] (see the module docs of [`super`] for the
//! choices made). A refused password is retried with a fresh one on the re-rendered form
//! (fresh CSRF token), at most [`SUBMISSIONS`] submissions in all. The form's empty name
//! fields are filled from [`SignupOptions::invitee_name`] each time it is read, and a
//! failure after the invite opened its form says the link may be used up now
//! ([`MAY_BE_USED_UP`]).

use url::Url;

use super::address::{AddressRule, Lookup, system_lookup};
use super::form::{FormSpec, Method};
use super::page::{self, Fetched, PageView, Stage, Standing};
use super::password::{self, PageRules};
use super::session::{Session, check_url, shown};
use super::{Account, ProbedForm, Reason, SignupFailure, SignupOptions, SubmitGuard};
use crate::config::Platform;
use crate::secret::Secret;

/// Submissions at most: the first, and two more after a refused password.
pub const SUBMISSIONS: usize = 3;

/// Signs the invitee up. See [`super`] for what is and is not done.
pub async fn sign_up(
    platform: &Platform,
    invite_url: &str,
    options: &SignupOptions,
    guard: &mut impl SubmitGuard,
) -> Result<Account, SignupFailure> {
    sign_up_with(platform, invite_url, options, guard, system_lookup()).await
}

/// Opens the invite and reads its signup form without submitting anything.
pub async fn probe(
    platform: &Platform,
    invite_url: &str,
    options: &SignupOptions,
) -> Result<ProbedForm, SignupFailure> {
    probe_with(platform, invite_url, options, system_lookup()).await
}

pub(crate) async fn probe_with(
    platform: &Platform,
    invite_url: &str,
    options: &SignupOptions,
    lookup: Lookup,
) -> Result<ProbedForm, SignupFailure> {
    let (_session, form, _) = open(platform, invite_url, options, lookup).await?;
    let mut problems = Vec::new();
    match ready_to_submit(platform, &form) {
        Ok(login) => {
            if let Err(failure) = check_login(&login, options) {
                problems.push(failure.detail);
            }
        }
        Err(failure) => problems.push(failure.detail),
    }
    if let Err(refusal) = check_url(platform, &AddressRule::for_platform(platform), &form.action) {
        problems.push(format!("the signup form posts elsewhere: {refusal}"));
    }
    if let Err(failure) = fresh_password(platform, &form).await {
        problems.push(failure.detail);
    }
    if let Err(failure) = page::check_success_configured(platform) {
        problems.push(failure.detail);
    }
    Ok(ProbedForm {
        login: form.login.clone(),
        fields: form.redacted_fields(),
        action: shown(platform, &form.action),
        method: form.method.as_str().to_owned(),
        problems,
    })
}

pub(crate) async fn sign_up_with(
    platform: &Platform,
    invite_url: &str,
    options: &SignupOptions,
    guard: &mut impl SubmitGuard,
    lookup: Lookup,
) -> Result<Account, SignupFailure> {
    page::check_success_configured(platform)?;
    let (session, form, standing) = open(platform, invite_url, options, lookup).await?;
    submit_opened(platform, options, guard, session, form, standing)
        .await
        .map_err(opened_first)
}

/// What a failure after the invite opened its form adds: some platforms mark an invite
/// accepted when it is first opened, so the link may not work for the next person.
pub const MAY_BE_USED_UP: &str = "The invite link was opened, and platforms that mark an \
    invite accepted when it is first opened may count that as its use: the link may be used \
    up now.";

fn opened_first(mut failure: SignupFailure) -> SignupFailure {
    failure.detail = format!("{} {MAY_BE_USED_UP}", failure.detail);
    failure
}

/// Fills in and submits the form the invite opened (see [`sign_up`]).
async fn submit_opened(
    platform: &Platform,
    options: &SignupOptions,
    guard: &mut impl SubmitGuard,
    session: Session,
    mut form: FormSpec,
    standing: Standing,
) -> Result<Account, SignupFailure> {
    let login = ready_to_submit(platform, &form)?;
    check_login(&login, options)?;
    if options.dry_run {
        return Err(SignupFailure::new(
            Reason::UnexpectedPage,
            "dry run: stopped before submitting",
        ));
    }
    let rule = AddressRule::for_platform(platform);
    let mut submitted = false;
    // Whether the platform refused the last submission with the form shown again: only
    // then is it known to have created nothing, and only then is a new one sent.
    let mut refused = false;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mark = |f: SignupFailure| f.submitted(submitted).refused(refused);
        check_url(platform, &rule, &form.action).map_err(|refusal| {
            mark(SignupFailure::new(
                Reason::BlockedRedirect,
                format!("the signup form posts elsewhere: {refusal}"),
            ))
        })?;
        let password = fresh_password(platform, &form).await.map_err(mark)?;
        guard.before_submit(&login, &password).await.map_err(|e| {
            mark(SignupFailure::new(
                Reason::UnexpectedPage,
                format!("stopped before submitting: {e}"),
            ))
        })?;
        submitted = true;
        let submission = form.submission(&password);
        let fetched = session
            .submit(&submission, &form.page_url)
            .await
            .map_err(|f| f.submitted(true))?;
        let mut view = read_page(platform, fetched)
            .await
            .map_err(|f| f.submitted(true))?;
        if page::is_success(platform, &view).map_err(|f| f.submitted(true))? {
            tracing::info!(landed = %shown(platform, &view.url), "signup: account created");
            return Ok(Account {
                login,
                password,
                landed_url: shown(platform, &view.url),
            });
        }
        // Judged against the form as first shown, not the last re-render: a refusal
        // repeated word for word is still the refusal.
        view.marker = page::new_marker(platform, &standing, &view);
        let failure = page::failure(&view, Stage::Submit).submitted(true);
        refused = plainly_refused(&view, &failure);
        let failure = failure.refused(refused);
        if !refused || failure.reason != Reason::PasswordRejected || attempt >= SUBMISSIONS {
            return Err(with_attempts(failure, attempt));
        }
        tracing::info!(attempt, "signup: password refused, trying a fresh one");
        form = rerendered_form(platform, view, &login, options).map_err(|f| f.refused(true))?;
    }
}

/// Whether the page answering a submission is the platform refusing it: one of the
/// profile's refusal markers on the signup form shown again. Anything else (a server
/// error, a timeout, a page nobody recognises) leaves the outcome unknown.
pub(super) fn plainly_refused(view: &PageView, failure: &SignupFailure) -> bool {
    view.marker.is_some()
        && view.form.is_ok()
        && !matches!(failure.reason, Reason::RateLimited | Reason::ServerError)
}

/// Checks the invite URL, builds the session, GETs the invite and finds the form, with
/// what the form's page says before anything is submitted.
async fn open(
    platform: &Platform,
    invite_url: &str,
    options: &SignupOptions,
    lookup: Lookup,
) -> Result<(Session, FormSpec, Standing), SignupFailure> {
    let url = Url::parse(invite_url.trim()).map_err(|e| {
        SignupFailure::new(
            Reason::UnexpectedPage,
            format!("cannot parse the invite link as a URL: {e}"),
        )
    })?;
    check_url(platform, &AddressRule::for_platform(platform), &url)
        .map_err(|r| SignupFailure::new(Reason::BlockedRedirect, r.to_string()))?;
    let session = Session::open_with(platform, options, lookup)?;
    let fetched = session.get(&url).await?;
    let view = read_page(platform, fetched).await?;
    let form_ok = (200..300).contains(&view.status);
    match view.form {
        Ok(mut form) if form_ok => {
            form.fill_names(options.invitee_name.as_deref());
            tracing::debug!(page = %shown(platform, &view.url), "signup: found the signup form");
            Ok((session, form, view.standing))
        }
        _ => Err(page::failure(&view, Stage::Invite)),
    }
}

/// The login, once the form is fit to be submitted on the invitee's behalf.
fn ready_to_submit(platform: &Platform, form: &FormSpec) -> Result<String, SignupFailure> {
    refuse_get(platform, form)?;
    ready_login(platform, form)
}

/// The login of a form with nothing that stops it being submitted (the browser engine
/// lets the page's own script send the form, so its `method` does not matter there).
pub(super) fn ready_login(platform: &Platform, form: &FormSpec) -> Result<String, SignupFailure> {
    if !form.blockers.is_empty() {
        // A field only a person can fill says what to do; other blockers are the
        // profile's or the page's trouble.
        let reason = if form.unfilled.is_empty() {
            Reason::UnexpectedPage
        } else {
            Reason::RequiredFieldEmpty
        };
        return Err(SignupFailure::new(
            reason,
            format!("{} (nothing was submitted)", form.blockers.join("; ")),
        ));
    }
    form.login.clone().ok_or_else(|| {
        SignupFailure::new(
            Reason::UnexpectedPage,
            format!(
                "the signup form at {} shows no pre-filled email, so the account's login \
                 (and where to send the credentials) is unknown; nothing was submitted",
                shown(platform, &form.page_url)
            ),
        )
    })
}

/// A `method=get` form would put the password in a URL: server and proxy logs, browser
/// history, the next page's `Referer`.
fn refuse_get(platform: &Platform, form: &FormSpec) -> Result<(), SignupFailure> {
    if form.method == Method::Get {
        return Err(SignupFailure::new(
            Reason::FormNotFound,
            format!(
                "the signup form at {} is sent with method=get, which would put the \
                 password in a URL, so it was not submitted",
                shown(platform, &form.page_url)
            ),
        ));
    }
    Ok(())
}

/// Refuses a login that is not the address the account must be for. Addresses compare
/// case-insensitively as a whole: a platform may change the case of either part, and
/// telling `Ada@x` from `ada@x` apart would only send a person to the help desk.
pub(super) fn check_login(login: &str, options: &SignupOptions) -> Result<(), SignupFailure> {
    match options.expected_login.as_deref().map(str::trim) {
        Some(expected) if !expected.eq_ignore_ascii_case(login) => Err(SignupFailure::new(
            Reason::LoginMismatch,
            format!(
                "the signup page would create the account for {login:?}, not for the \
                 invitee {expected:?}, so the credentials would go to someone else; \
                 nothing was submitted"
            ),
        )),
        _ => Ok(()),
    }
}

/// Parses a page; a large one off the async workers ([`crate::cpu`]): a large or hostile
/// page takes CPU time that would otherwise stall every other job's I/O.
pub(super) async fn read_page(
    platform: &Platform,
    fetched: Fetched,
) -> Result<PageView, SignupFailure> {
    let owned = platform.clone();
    let shown_url = platform.shown_url(&fetched.url);
    crate::cpu::run(fetched.body.len(), move || page::read(&owned, &fetched))
        .await
        .ok_or_else(|| {
            SignupFailure::new(
                Reason::UnexpectedPage,
                format!("cannot read the page at {shown_url}: reading it failed"),
            )
        })
}

/// A new password for `form`, drawn off the async workers (a page's patterns can make
/// the drawing slow, up to the generator's caps).
pub(super) async fn fresh_password(
    platform: &Platform,
    form: &FormSpec,
) -> Result<Secret, SignupFailure> {
    let (owned, rules) = (platform.clone(), form.password_rules.clone());
    tokio::task::spawn_blocking(move || generate_checked(&owned, &rules))
        .await
        .unwrap_or_else(|_| {
            Err(SignupFailure::new(
                Reason::PasswordRejected,
                "cannot generate a password: the generator failed (nothing was submitted)",
            ))
        })
}

/// A new password, checked once more against every rule before it can go out.
fn generate_checked(platform: &Platform, rules: &PageRules) -> Result<Secret, SignupFailure> {
    let refuse = |why: String| {
        SignupFailure::new(
            Reason::PasswordRejected,
            format!(
                "{why}; the page's password rules and the profile's policy cannot both be \
                 met, so nothing was submitted with this form (adjust [platform.password])"
            ),
        )
    };
    let password = password::generate(&platform.password, rules)
        .map_err(|e| refuse(crate::report::chain(&e)))?;
    password::check(&platform.password, rules, password.expose()).map_err(|why| {
        refuse(format!(
            "the generated password failed a final check: {why}"
        ))
    })?;
    Ok(password)
}

/// The form the platform re-rendered with its error, for the next try.
fn rerendered_form(
    platform: &Platform,
    view: PageView,
    login: &str,
    options: &SignupOptions,
) -> Result<FormSpec, SignupFailure> {
    let describe = page::describe(&view);
    let mut form = view.form.map_err(|why| {
        SignupFailure::new(
            Reason::PasswordRejected,
            format!("the password was refused and the page offers no form to try again: {why} ({describe})"),
        )
        .submitted(true)
    })?;
    refuse_get(platform, &form).map_err(|f| f.submitted(true))?;
    form.fill_names(options.invitee_name.as_deref());
    match &form.login {
        Some(again) if again.eq_ignore_ascii_case(login) && form.blockers.is_empty() => Ok(form),
        _ => Err(SignupFailure::new(
            Reason::UnexpectedPage,
            format!(
                "the password was refused and the form shown again is no longer pre-filled \
                 for {login} as before, so it was not submitted again ({describe})"
            ),
        )
        .submitted(true)),
    }
}

pub(super) fn with_attempts(mut failure: SignupFailure, attempts: usize) -> SignupFailure {
    if failure.reason == Reason::PasswordRejected {
        failure.detail = format!(
            "{} — refused {attempts} times, each with a fresh password",
            failure.detail
        );
    }
    failure
}
