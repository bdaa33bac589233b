//! The labels mail clients write in a forwarded header block, as one table: language ×
//! field (From, To, Cc, Date/Sent, Subject, Reply-To) and the forward markers.
//!
//! In: a label as it stands before its colon, or a line that may be a forward marker.
//! Out: the [`Role`] the label plays (any language), or whether the line is a marker.
//! Gathered from what Gmail, Outlook (web, new, desktop, Mac), Apple Mail, Thunderbird,
//! Yahoo, HubSpot, Missive, MailMate and IONOS write in each UI language (facts checked
//! against the public fixtures of crisp-oss/email-forward-parser). Several clients keep
//! some labels in English whatever the UI language (Gmail: `Date`, `Subject`, `To`;
//! Thunderbird in Danish: all of them), so the English labels are known in every block.

use std::collections::HashMap;
use std::sync::LazyLock;

/// What a header field of a forwarded block says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Role {
    From,
    To,
    Cc,
    /// The date or the "Sent" time.
    Date,
    Subject,
    ReplyTo,
}

/// The labels of one language. Matched case-insensitively, after a colon (`:` or `：`)
/// with or without a space before it.
pub(super) struct Language {
    /// BCP 47 tag: the tests check each has its layouts in `tests/forward_languages/`.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests only"))]
    pub code: &'static str,
    pub from: &'static [&'static str],
    pub to: &'static [&'static str],
    pub cc: &'static [&'static str],
    pub date: &'static [&'static str],
    pub subject: &'static [&'static str],
    pub reply_to: &'static [&'static str],
    /// The words of a marker line, without its dashes or final colon
    /// (`---------- Forwarded message ---------`, `Begin forwarded message:`).
    pub markers: &'static [&'static str],
}

/// Every language's labels. Add a language here, with its test in `tests/forward_languages/`.
pub(super) const LANGUAGES: &[Language] = &[
    Language {
        code: "en",
        from: &["From"],
        to: &["To"],
        cc: &["Cc", "Bcc"],
        date: &["Date", "Sent"],
        subject: &["Subject"],
        reply_to: &["Reply-To"],
        markers: &[
            "Forwarded message",
            "Forwarded Message",
            "Original Message",
            "Begin forwarded message",
        ],
    },
    Language {
        code: "cs",
        from: &["Od"],
        to: &["Komu"],
        cc: &["Kopie"],
        date: &["Datum", "Odesláno"],
        subject: &["Předmět"],
        reply_to: &["Odpovědět na"],
        markers: &["Začátek přeposílané zprávy", "Přeposlaná zpráva"],
    },
    Language {
        code: "da",
        from: &["Fra"],
        to: &["Til"],
        cc: &["Cc", "Kopi"],
        date: &["Dato", "Sendt"],
        subject: &["Emne"],
        reply_to: &["Svar til"],
        markers: &["Start på videresendt besked", "Videresendt meddelelse"],
    },
    Language {
        code: "de",
        from: &["Von"],
        to: &["An"],
        cc: &["Kopie", "Kopie (CC)", "CC"],
        date: &["Datum", "Gesendet"],
        subject: &["Betreff"],
        reply_to: &["Antwort an"],
        markers: &[
            "Anfang der weitergeleiteten Nachricht",
            "Weitergeleitete Nachricht",
            "Ursprüngliche Nachricht",
        ],
    },
    Language {
        code: "es",
        from: &["De", "Remitente"],
        to: &["Para", "A", "Destinatario"],
        cc: &["CC"],
        date: &["Fecha", "Enviado", "Enviado el"],
        subject: &["Asunto"],
        reply_to: &["Responder a"],
        markers: &[
            "Inicio del mensaje reenviado",
            "Mensaje reenviado",
            "Mensaje original",
        ],
    },
    Language {
        code: "et",
        from: &["Saatja"],
        to: &["Saaja", "Adressaat"],
        cc: &["Koopia"],
        date: &["Kuupäev", "Saadetud"],
        subject: &["Teema"],
        reply_to: &[],
        markers: &["Edasisaadetud kiri"],
    },
    Language {
        code: "fi",
        from: &["Lähettäjä"],
        to: &["Vastaanottaja"],
        cc: &["Kopio"],
        date: &["Päivämäärä", "Päiväys", "Lähetetty"],
        subject: &["Aihe"],
        reply_to: &["Vastausosoite"],
        markers: &[
            "Välitetty viesti alkaa",
            "Edelleenlähetetty viesti",
            "Välitetty viesti",
            "Välitetty viesti / Fwd.Msg",
        ],
    },
    Language {
        code: "fr",
        from: &["De"],
        to: &["À", "Pour", "Destinataire"],
        cc: &["Cc", "Copie à", "Copie"],
        date: &["Date", "Envoyé", "Envoyé le"],
        subject: &["Objet", "Sujet"],
        reply_to: &["Répondre à"],
        markers: &[
            "Début du message réexpédié",
            "Message transféré",
            "Message transmis",
            "Message d'origine",
        ],
    },
    Language {
        code: "hr",
        from: &["Šalje"],
        to: &["Prima"],
        cc: &["Cc"],
        date: &["Datum", "Poslano"],
        subject: &["Predmet", "Naslov"],
        reply_to: &[],
        markers: &["Započni proslijeđenu poruku", "Proslijeđena poruka"],
    },
    Language {
        code: "hu",
        from: &["Feladó"],
        to: &["Címzett"],
        cc: &["Másolat", "Másolatot kap"],
        date: &["Dátum", "Elküldve"],
        subject: &["Tárgy"],
        reply_to: &["Válaszcím"],
        markers: &["Továbbított levél kezdete", "Továbbított üzenet"],
    },
    Language {
        code: "it",
        from: &["Da", "Mittente"],
        to: &["A"],
        cc: &["Cc"],
        date: &["Data", "Inviato"],
        subject: &["Oggetto"],
        reply_to: &["Rispondi a"],
        markers: &["Inizio messaggio inoltrato", "Messaggio inoltrato"],
    },
    Language {
        code: "ja",
        from: &["差出人", "送信元"],
        to: &["宛先", "送信先"],
        cc: &["CC"],
        date: &["日付", "送信日時"],
        subject: &["件名"],
        reply_to: &[],
        markers: &["メッセージを転送", "転送されたメッセージ"],
    },
    Language {
        code: "nl",
        from: &["Van", "Afzender"],
        to: &["Aan"],
        cc: &["Kopie", "CC"],
        date: &["Datum", "Verzonden"],
        subject: &["Onderwerp"],
        reply_to: &["Antwoord aan"],
        markers: &["Begin doorgestuurd bericht", "Doorgestuurd bericht"],
    },
    Language {
        code: "no",
        from: &["Fra"],
        to: &["Til"],
        cc: &["Kopi"],
        date: &["Dato", "Sendt"],
        subject: &["Emne"],
        reply_to: &["Svar til"],
        markers: &["Videresendt melding"],
    },
    Language {
        code: "pl",
        from: &["Od", "Nadawca"],
        to: &["Do", "Adresat"],
        cc: &["DW", "Kopia"],
        date: &["Data", "Wysłano"],
        subject: &["Temat"],
        reply_to: &["Odpowiedź do"],
        markers: &[
            "Początek przekazywanej wiadomości",
            "Treść przekazanej wiadomości",
            "Wiadomość przesłana dalej",
            "Przekazana wiadomość",
        ],
    },
    Language {
        code: "pt",
        from: &["De"],
        to: &["Para"],
        cc: &["CC"],
        date: &["Data", "Enviado", "Enviada"],
        subject: &["Assunto"],
        reply_to: &["Responder a"],
        markers: &["Início da mensagem reencaminhada", "Mensagem reencaminhada"],
    },
    Language {
        code: "pt-BR",
        from: &["De"],
        to: &["Para"],
        cc: &["CC"],
        date: &["Data", "Enviado"],
        subject: &["Assunto"],
        reply_to: &["Responder para"],
        markers: &["Início da mensagem encaminhada", "Mensagem encaminhada"],
    },
    Language {
        code: "ro",
        from: &["De la", "Expeditorul", "Expeditor"],
        to: &["Către", "Destinatarul", "Destinatar"],
        cc: &["Cc"],
        date: &["Dată", "Data", "Trimis"],
        subject: &["Subiectul", "Subiect"],
        reply_to: &[],
        markers: &["Începe mesajul redirecționat", "Mesaj redirecționat"],
    },
    Language {
        code: "ru",
        from: &["От", "Отправитель"],
        to: &["Кому"],
        cc: &["Копия"],
        date: &["Дата", "Отправлено"],
        subject: &["Тема"],
        reply_to: &[],
        markers: &[
            "Начало переадресованного сообщения",
            "Перенаправленное сообщение",
            "Пересылаемое сообщение",
        ],
    },
    Language {
        code: "sk",
        from: &["Od"],
        to: &["Komu", "Pre"],
        cc: &["Kópia"],
        date: &["Dátum", "Odoslané"],
        subject: &["Predmet"],
        reply_to: &[],
        markers: &["Začiatok preposlanej správy", "Preposlaná správa"],
    },
    Language {
        code: "sv",
        from: &["Från"],
        to: &["Till"],
        cc: &["Kopia"],
        date: &["Datum", "Skickat"],
        subject: &["Ämne"],
        reply_to: &["Svara till"],
        markers: &["Vidarebefordrat mejl", "Vidarebefordrat meddelande"],
    },
    Language {
        code: "tr",
        from: &["Kimden", "Gönderen"],
        to: &["Kime"],
        cc: &["Bilgi"],
        date: &["Tarih", "Gönderilen", "Gönderildi"],
        subject: &["Konu"],
        reply_to: &[],
        markers: &["İleti başlangıcı", "İletilen İleti", "İletilmiş Mesaj"],
    },
    Language {
        code: "uk",
        from: &["Від", "Від кого"],
        to: &["Кому"],
        cc: &["Копія"],
        date: &["Дата", "Відправлено", "Надіслано"],
        subject: &["Тема"],
        reply_to: &[],
        markers: &[
            "Початок листа, що пересилається",
            "Переслане повідомлення",
            "Перенаправлене повідомлення",
        ],
    },
    Language {
        code: "zh-CN",
        from: &["发件人"],
        to: &["收件人"],
        cc: &["抄送"],
        date: &["日期", "发送时间"],
        subject: &["主题"],
        reply_to: &[],
        markers: &["转发的邮件", "原始邮件"],
    },
    Language {
        code: "zh-TW",
        from: &["寄件者"],
        to: &["收件者"],
        cc: &["副本"],
        date: &["日期", "寄件日期"],
        subject: &["主旨"],
        reply_to: &[],
        markers: &["轉寄的郵件"],
    },
    Language {
        code: "ko",
        from: &["보낸 사람", "보낸사람"],
        to: &["받는 사람", "받는사람"],
        cc: &["참조"],
        date: &["날짜", "보낸 날짜"],
        subject: &["제목"],
        reply_to: &[],
        markers: &["전달된 메시지"],
    },
];

impl Language {
    /// Every (label, role) of this language.
    pub fn labels(&self) -> impl Iterator<Item = (&'static str, Role)> + '_ {
        let fields: [(&'static [&'static str], Role); 6] = [
            (self.from, Role::From),
            (self.to, Role::To),
            (self.cc, Role::Cc),
            (self.date, Role::Date),
            (self.subject, Role::Subject),
            (self.reply_to, Role::ReplyTo),
        ];
        fields
            .into_iter()
            .flat_map(|(labels, role)| labels.iter().map(move |&l| (l, role)))
    }
}

/// Label (lower case, inner whitespace collapsed) → role, over every language.
static BY_LABEL: LazyLock<HashMap<String, Role>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .flat_map(Language::labels)
        .map(|(label, role)| (normalize(label), role))
        .collect()
});

/// Marker words (lower case, inner whitespace collapsed), over every language.
static MARKERS: LazyLock<Vec<String>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .flat_map(|l| l.markers.iter())
        .map(|m| normalize(m))
        .collect()
});

/// The longest label, in characters: longer text before a colon is not a label.
pub(super) static LONGEST_LABEL: LazyLock<usize> = LazyLock::new(|| {
    BY_LABEL
        .keys()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
});

fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The role of `label` in any language, or `None` for a label no client writes.
pub(super) fn role_of(label: &str) -> Option<Role> {
    BY_LABEL.get(&normalize(label)).copied()
}

/// Whether `words` (a line without its dashes, underscores and final colon) are a
/// forward marker of some language.
pub(super) fn is_marker(words: &str) -> bool {
    let words = normalize(words);
    !words.is_empty() && MARKERS.contains(&words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_label_plays_two_roles() {
        let mut seen: HashMap<String, (Role, &str)> = HashMap::new();
        for language in LANGUAGES {
            for (label, role) in language.labels() {
                if let Some((other, code)) = seen.insert(normalize(label), (role, language.code)) {
                    assert_eq!(
                        other, role,
                        "{label:?} is {other:?} in {code} but {role:?} in {}",
                        language.code
                    );
                }
            }
        }
    }

    #[test]
    fn every_language_names_sender_recipient_and_a_marker() {
        for language in LANGUAGES {
            assert!(!language.from.is_empty(), "{}", language.code);
            assert!(!language.to.is_empty(), "{}", language.code);
            assert!(!language.markers.is_empty(), "{}", language.code);
        }
    }

    #[test]
    fn every_language_has_its_layouts_tested() {
        let tests = [
            include_str!("../../tests/forward_languages/main.rs"),
            include_str!("../../tests/forward_languages/germanic.rs"),
            include_str!("../../tests/forward_languages/romance.rs"),
            include_str!("../../tests/forward_languages/slavic.rs"),
            include_str!("../../tests/forward_languages/others.rs"),
        ]
        .concat();
        for language in LANGUAGES {
            let name = language.code.to_lowercase().replace('-', "_");
            assert!(
                tests.contains(&format!("fn {name}()")),
                "tests/forward_languages/ has no test for {}",
                language.code
            );
        }
    }

    #[test]
    fn labels_match_whatever_the_case_and_spacing() {
        assert_eq!(role_of("KOPIE  (cc)"), Some(Role::Cc));
        assert_eq!(role_of("de la"), Some(Role::From));
        assert_eq!(role_of("Від кого"), Some(Role::From));
        assert_eq!(role_of("Note"), None);
        assert!(is_marker("weitergeleitete   nachricht"));
        assert!(!is_marker(""));
    }
}
