//! Slavic languages: Czech, Croatian, Polish, Russian, Slovak, Ukrainian.

use super::{apple, check, gmail, hubspot, new_outlook, thunderbird, yahoo};

#[test]
fn cs() {
    check(
        "cs",
        &[
            apple(
                "Začátek přeposílané zprávy:",
                ["Od:", "Předmět:", "Datum:", "Komu:", "Kopie:"],
            ),
            gmail("Od:"),
            new_outlook(["Od:", "Datum:", "Komu:", "Kopie:", "Předmět:"]),
            thunderbird(
                "-------- Přeposlaná zpráva --------",
                ["Předmět:", "Datum:", "Od:", "Komu:", "Kopie:"],
            ),
            yahoo(
                "Přeposlaná zpráva",
                ["Od:", "Komu:", "Kopie:", "Datum:", "Předmět:"],
                "pondělí 2. listopadu 2026 10:01:00 SEČ",
            ),
        ],
    );
}

#[test]
fn hr() {
    check(
        "hr",
        &[
            apple(
                "Započni proslijeđenu poruku:",
                ["Šalje:", "Predmet:", "Datum:", "Prima:", "Cc:"],
            ),
            gmail("Šalje:"),
            thunderbird(
                "-------- Proslijeđena poruka --------",
                ["Naslov:", "Datum:", "Šalje:", "Prima:", "CC:"],
            ),
        ],
    );
}

#[test]
fn pl() {
    check(
        "pl",
        &[
            apple(
                "Początek przekazywanej wiadomości:",
                ["Od:", "Temat:", "Data:", "Do:", "Dw:"],
            ),
            gmail("Od:"),
            hubspot(
                "Wiadomość przesłana dalej",
                ["Od:", "Data:", "Temat:", "Do:", "DW:"],
            ),
            new_outlook(["Od:", "Data:", "Do:", "DW:", "Temat:"]),
            // Thunderbird's Polish marker has three dashes.
            thunderbird(
                "--- Treść przekazanej wiadomości ---",
                ["Temat:", "Data:", "Nadawca:", "Adresat:", "Kopia:"],
            ),
            // Yahoo writes the Polish Cc label without a colon.
            yahoo(
                "Przekazana wiadomość",
                ["Od:", "Do:", "Dw", "Wysłano:", "Temat:"],
                "poniedziałek, 2 listopada 2026, 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn ru() {
    check(
        "ru",
        &[
            apple(
                "Начало переадресованного сообщения:",
                ["Отправитель:", "Тема:", "Дата:", "Кому:", "Копия:"],
            ),
            gmail("От:"),
            new_outlook(["От:", "Дата:", "Кому:", "Копия:", "Тема:"]),
            thunderbird(
                "-------- Перенаправленное сообщение --------",
                ["Тема:", "Дата:", "От:", "Кому:", "Копия:"],
            ),
            yahoo(
                "Пересылаемое сообщение",
                ["От:", "Кому:", "Копия:", "Отправлено:", "Тема:"],
                "понедельник, 2 ноября 2026 г., 10:01:00 GMT+1",
            ),
        ],
    );
}

#[test]
fn sk() {
    check(
        "sk",
        &[
            apple(
                "Začiatok preposlanej správy:",
                ["Od:", "Predmet:", "Dátum:", "Pre:", "Cc:"],
            ),
            gmail("Od:"),
            new_outlook(["Od:", "Dátum:", "Komu:", "Kópia:", "Predmet:"]),
            thunderbird(
                "-------- Preposlaná správa --- Forwarded Message --------",
                ["Predmet:", "Dátum:", "Od:", "Pre:", "Kópia:"],
            ),
            yahoo(
                "Preposlaná správa",
                ["Od:", "Komu:", "Kópia:", "Odoslané:", "Predmet:"],
                "pondelok 2. novembra 2026, 10:01:00 SEČ",
            ),
        ],
    );
}

#[test]
fn uk() {
    check(
        "uk",
        &[
            apple(
                "Початок листа, що пересилається:",
                ["Від кого:", "Тема:", "Дата:", "Кому:", "Копія:"],
            ),
            gmail("Від:"),
            thunderbird(
                "-------- Переслане повідомлення --------",
                ["Тема:", "Дата:", "Від:", "Кому:", "CC:"],
            ),
            yahoo(
                "Перенаправлене повідомлення",
                ["Від:", "Кому:", "Копія:", "Відправлено:", "Тема:"],
                "понеділок, 2 листопада 2026 р., 10:01:00 GMT+1",
            ),
        ],
    );
}
