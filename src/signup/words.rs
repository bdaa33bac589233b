//! What platforms write around sign-in and used invites, as one table: language × kind
//! (sign-in buttons, "forgot password" links, messages meaning the invite is used or
//! expired, messages meaning the email already has an account).
//!
//! In: a button's text, a link's text, or a page's text, lower-cased and with its
//! whitespace collapsed. Out: whether it says sign in, or forgot password; and the
//! failure texts the default profile recognises ([`link_expired`], [`already_registered`]).
//!
//! These texts are the second line of evidence: a form is told a sign-in form first by
//! its structure ([`super::form`]: `autocomplete`, one password field, its action's path,
//! a "forgot password" link's address). Entries are lower case, as the page's text is
//! compared; a phrase matches anywhere in the text, so each is specific enough not to
//! stand in a signup page's own wording (German `anmelden` alone is a sign-in button,
//! never a phrase looked for in running text).

/// One language's words.
pub struct Words {
    /// BCP 47 tag: each language has its detection test in `words_tests.rs`.
    pub code: &'static str,
    /// Submit texts of a sign-in form; one written `=word` counts only as the button's
    /// whole text (German `Jetzt anmelden` often signs up, `Anmelden` signs in).
    pub sign_in: &'static [&'static str],
    /// Texts of a "forgot password" link.
    pub forgot_password: &'static [&'static str],
    /// Messages meaning the invite link was used, expired or is unknown.
    pub link_expired: &'static [&'static str],
    /// Messages meaning the email already has an account.
    pub already_registered: &'static [&'static str],
}

/// Every language. English stays in the profile defaults' own list
/// ([`crate::config::FailureMarkers`]); its sign-in words are here.
pub const WORDS: &[Words] = &[
    Words {
        code: "en",
        sign_in: &["log in", "login", "sign in", "signin", "log on", "logon"],
        forgot_password: &[
            "forgot",
            "reset password",
            "lost password",
            "reset your password",
        ],
        link_expired: &[],
        already_registered: &[],
    },
    Words {
        code: "fr",
        sign_in: &["se connecter", "connexion", "s'identifier", "me connecter"],
        forgot_password: &["mot de passe oublié"],
        link_expired: &[
            "invitation a expiré",
            "invitation n'est plus valide",
            "invitation est invalide",
            "invitation invalide",
            "invitation a déjà été acceptée",
            "invitation a déjà été utilisée",
            "lien a expiré",
            "lien n'est plus valide",
        ],
        already_registered: &[
            "possédez déjà un compte",
            "avez déjà un compte",
            "déjà utilisée",
            "existe déjà",
        ],
    },
    Words {
        code: "de",
        sign_in: &["=anmelden", "einloggen", "login"],
        forgot_password: &["passwort vergessen", "kennwort vergessen"],
        link_expired: &[
            "einladung ist abgelaufen",
            "einladung ist nicht mehr gültig",
            "einladung ist ungültig",
            "ungültige einladung",
            "einladung wurde bereits angenommen",
            "einladung wurde bereits verwendet",
            "link ist abgelaufen",
        ],
        already_registered: &[
            "bereits ein konto",
            "bereits registriert",
            "bereits vergeben",
            "existiert bereits",
        ],
    },
    Words {
        code: "es",
        sign_in: &[
            "iniciar sesión",
            "inicia sesión",
            "acceder",
            "entrar",
            "ingresar",
        ],
        forgot_password: &[
            "olvidaste tu contraseña",
            "olvidó su contraseña",
            "olvidé mi contraseña",
        ],
        link_expired: &[
            "invitación ha caducado",
            "invitación ha expirado",
            "invitación no es válida",
            "invitación no válida",
            "invitación ya ha sido aceptada",
            "invitación ya fue aceptada",
            "invitación ya ha sido utilizada",
            "enlace ha caducado",
        ],
        already_registered: &[
            "ya tienes una cuenta",
            "ya tiene una cuenta",
            "ya está registrado",
            "ya existe",
        ],
    },
    Words {
        code: "it",
        sign_in: &["accedi", "=entra", "effettua l'accesso"],
        forgot_password: &["password dimenticata", "hai dimenticato la password"],
        link_expired: &[
            "invito è scaduto",
            "invito non è più valido",
            "invito non valido",
            "invito è già stato accettato",
            "invito è già stato utilizzato",
            "link è scaduto",
        ],
        already_registered: &["hai già un account", "esiste già", "già registrato"],
    },
    Words {
        code: "pt",
        sign_in: &["entrar", "iniciar sessão", "fazer login", "acessar"],
        forgot_password: &[
            "esqueceu a senha",
            "esqueceu sua senha",
            "esqueci a minha senha",
            "esqueceu a palavra-passe",
        ],
        link_expired: &[
            "convite expirou",
            "convite não é mais válido",
            "convite inválido",
            "convite já foi aceito",
            "convite já foi aceite",
            "convite já foi usado",
            "convite já foi utilizado",
            "link expirou",
        ],
        already_registered: &[
            "já tem uma conta",
            "já possui uma conta",
            "já está cadastrado",
            "já está registado",
            "já existe",
        ],
    },
    Words {
        code: "nl",
        sign_in: &["inloggen", "log in"],
        forgot_password: &["wachtwoord vergeten"],
        link_expired: &[
            "uitnodiging is verlopen",
            "uitnodiging is niet meer geldig",
            "uitnodiging is ongeldig",
            "ongeldige uitnodiging",
            "uitnodiging is al geaccepteerd",
            "uitnodiging is al gebruikt",
            "link is verlopen",
        ],
        already_registered: &[
            "heeft al een account",
            "hebt al een account",
            "heb je al een account",
            "al geregistreerd",
            "bestaat al",
        ],
    },
    Words {
        code: "sv",
        sign_in: &["logga in"],
        forgot_password: &["glömt lösenordet", "glömt ditt lösenord"],
        link_expired: &[
            "inbjudan har gått ut",
            "inbjudan är inte längre giltig",
            "inbjudan är ogiltig",
            "ogiltig inbjudan",
            "inbjudan har redan accepterats",
            "inbjudan har redan använts",
        ],
        already_registered: &["har redan ett konto", "redan registrerad", "finns redan"],
    },
    Words {
        code: "da",
        sign_in: &["log ind"],
        forgot_password: &["glemt adgangskode", "glemt din adgangskode"],
        link_expired: &[
            "invitationen er udløbet",
            "invitationen er ikke længere gyldig",
            "invitationen er ugyldig",
            "ugyldig invitation",
            "invitationen er allerede accepteret",
            "invitationen er allerede brugt",
        ],
        already_registered: &[
            "har allerede en konto",
            "allerede registreret",
            "findes allerede",
        ],
    },
    Words {
        code: "nb",
        sign_in: &["logg inn"],
        forgot_password: &["glemt passord", "glemt passordet"],
        link_expired: &[
            "invitasjonen har utløpt",
            "invitasjonen er ugyldig",
            "invitasjonen er allerede akseptert",
            "invitasjonen er allerede brukt",
        ],
        already_registered: &["har allerede en konto", "allerede registrert"],
    },
    Words {
        code: "pl",
        sign_in: &["zaloguj", "logowanie"],
        forgot_password: &[
            "nie pamiętasz hasła",
            "zapomniałeś hasła",
            "zapomniałem hasła",
        ],
        link_expired: &[
            "zaproszenie wygasło",
            "zaproszenie jest nieważne",
            "nieprawidłowe zaproszenie",
            "zaproszenie zostało już zaakceptowane",
            "zaproszenie zostało już wykorzystane",
            "link wygasł",
        ],
        already_registered: &["masz już konto", "już istnieje", "już zarejestrowany"],
    },
    Words {
        code: "cs",
        sign_in: &["přihlásit", "přihlášení"],
        forgot_password: &["zapomenuté heslo", "zapomněli jste heslo"],
        link_expired: &[
            "pozvánka vypršela",
            "platnost pozvánky vypršela",
            "pozvánka je neplatná",
            "neplatná pozvánka",
            "pozvánka již byla přijata",
            "pozvánka již byla použita",
        ],
        already_registered: &["již máte účet", "již existuje", "již zaregistrován"],
    },
    Words {
        code: "ja",
        sign_in: &["ログイン", "サインイン"],
        forgot_password: &["パスワードを忘れ", "パスワードをお忘れ"],
        link_expired: &[
            "招待の有効期限が切れ",
            "招待は無効",
            "無効な招待",
            "招待はすでに承認",
            "招待は既に承認",
            "招待はすでに使用",
            "招待は既に使用",
        ],
        already_registered: &[
            "すでにアカウントをお持ち",
            "既にアカウントをお持ち",
            "すでに登録されて",
            "既に登録されて",
            "すでに存在",
            "既に存在",
        ],
    },
    Words {
        code: "zh",
        sign_in: &["登录", "登入", "登錄"],
        forgot_password: &["忘记密码", "忘記密碼"],
        link_expired: &[
            "邀请已过期",
            "邀請已過期",
            "邀请无效",
            "邀請無效",
            "邀请已被接受",
            "邀請已被接受",
            "邀请已被使用",
            "邀請已被使用",
        ],
        already_registered: &[
            "已有账号",
            "已有帳號",
            "已有账户",
            "已经注册",
            "已註冊",
            "已注册",
            "已存在",
        ],
    },
    Words {
        code: "ru",
        sign_in: &["войти", "вход"],
        forgot_password: &["забыли пароль"],
        link_expired: &[
            "приглашение истекло",
            "срок действия приглашения истёк",
            "срок действия приглашения истек",
            "приглашение недействительно",
            "недействительное приглашение",
            "приглашение уже принято",
            "приглашение уже использовано",
        ],
        already_registered: &[
            "уже есть аккаунт",
            "уже есть учётная запись",
            "уже зарегистрирован",
            "уже существует",
        ],
    },
];

/// Whether a submit button's text (lower case, whitespace collapsed) says sign in, in
/// any language, as whole words (`Log-in` too; not `Signing up`, nor `central`).
pub fn says_sign_in(text: &str) -> bool {
    let text = text.replace(['-', '_'], " ");
    let alone = text.trim_matches(|c: char| !c.is_alphanumeric());
    WORDS
        .iter()
        .flat_map(|w| w.sign_in)
        .any(|phrase| match phrase.strip_prefix('=') {
            Some(word) => alone == word,
            None => contains_words(&text, phrase),
        })
}

/// Whether `phrase` stands in `text` as whole words; scripts written without spaces
/// (Han, kana, Hangul) have no word boundaries to check.
fn contains_words(text: &str, phrase: &str) -> bool {
    if phrase.starts_with(|c: char| c >= '\u{3000}') {
        return text.contains(phrase);
    }
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Whether a link's text (lower case, whitespace collapsed) offers a forgotten password.
pub fn says_forgot_password(text: &str) -> bool {
    WORDS
        .iter()
        .flat_map(|w| w.forgot_password)
        .any(|phrase| text.contains(phrase))
}

/// The `english` link-expired messages, then those of every other language.
pub fn link_expired(english: &[&str]) -> Vec<String> {
    let others = WORDS.iter().flat_map(|w| w.link_expired.iter());
    english
        .iter()
        .chain(others)
        .map(|t| (*t).to_owned())
        .collect()
}

/// The `english` already-registered messages, then those of every other language.
pub fn already_registered(english: &[&str]) -> Vec<String> {
    let others = WORDS.iter().flat_map(|w| w.already_registered.iter());
    english
        .iter()
        .chain(others)
        .map(|t| (*t).to_owned())
        .collect()
}

#[cfg(test)]
#[path = "words_tests.rs"]
mod tests;
