//! Romance languages: Spanish, French, Italian, Portuguese (Portugal, Brazil), Romanian.

use super::{apple, check, gmail, hubspot, new_outlook, thunderbird, yahoo};

#[test]
fn es() {
    check(
        "es",
        &[
            apple(
                "Inicio del mensaje reenviado:",
                ["De:", "Asunto:", "Fecha:", "Para:", "Cc:"],
            ),
            gmail("De:"),
            hubspot(
                "Mensaje reenviado",
                ["De:", "Fecha:", "Asunto:", "A:", "Cc:"],
            ),
            new_outlook(["De:", "Fecha:", "Para:", "CC:", "Asunto:"]),
            thunderbird(
                "-------- Mensaje reenviado --------",
                ["Asunto:", "Fecha:", "De:", "Para:", "CC:"],
            ),
            yahoo(
                "Mensaje reenviado",
                ["De:", "Para:", "CC:", "Enviado:", "Asunto:"],
                "lunes, 2 de noviembre de 2026 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn fr() {
    check(
        "fr",
        &[
            apple(
                "Début du message réexpédié :",
                ["De:", "Objet:", "Date:", "À:", "Cc:"],
            ),
            gmail("De :"),
            hubspot(
                "Message transféré",
                ["De :", "Date :", "Objet :", "À :", "Cc :"],
            ),
            new_outlook(["De :", "Date :", "À :", "Cc :", "Objet :"]),
            thunderbird(
                "-------- Message transféré --------",
                ["Sujet :", "Date :", "De :", "Pour :", "Copie à :"],
            ),
            yahoo(
                "Message transmis",
                ["De :", "À :", "Cc :", "Envoyé :", "Objet :"],
                "lundi 2 novembre 2026, 10:01:00 UTC+1",
            ),
        ],
    );
}

#[test]
fn it() {
    check(
        "it",
        &[
            apple(
                "Inizio messaggio inoltrato:",
                ["Da:", "Oggetto:", "Data:", "A:", "Cc:"],
            ),
            gmail("Da:"),
            hubspot(
                "Messaggio inoltrato",
                ["Da:", "Data:", "Oggetto:", "A:", "Cc:"],
            ),
            new_outlook(["Da:", "Data:", "A:", "Cc:", "Oggetto:"]),
            thunderbird(
                "-------- Messaggio Inoltrato --------",
                ["Oggetto:", "Data:", "Mittente:", "A:", "CC:"],
            ),
            yahoo(
                "Messaggio inoltrato",
                ["Da:", "A:", "Cc:", "Inviato:", "Oggetto:"],
                "lunedì 2 novembre 2026, 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn pt() {
    check(
        "pt",
        &[
            apple(
                "Início da mensagem reencaminhada:",
                ["De:", "Assunto:", "Data:", "Para:", "Cc:"],
            ),
            gmail("De:"),
            new_outlook(["De:", "Data:", "Para:", "CC:", "Assunto:"]),
            thunderbird(
                "-------- Mensagem reencaminhada --------",
                ["Assunto:", "Data:", "De:", "Para:", "CC:"],
            ),
            // Yahoo writes the Portuguese Subject label without a colon.
            yahoo(
                "Mensagem reencaminhada",
                ["De:", "Para:", "Cc:", "Enviado:", "Assunto"],
                "segunda-feira, 2 de novembro de 2026, 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn pt_br() {
    check(
        "pt-BR",
        &[
            apple(
                "Início da mensagem encaminhada:",
                ["De:", "Assunto:", "Data:", "Para:", "Cc:"],
            ),
            gmail("De:"),
            hubspot(
                "Mensagem encaminhada",
                ["De:", "Data:", "Assunto:", "Para:", "Cc:"],
            ),
            new_outlook(["De:", "Data:", "Para:", "Cc:", "Assunto:"]),
            thunderbird(
                "-------- Mensagem encaminhada --------",
                ["Assunto:", "Data:", "De:", "Para:", "CC:"],
            ),
            yahoo(
                "Mensagem encaminhada",
                ["De:", "Para:", "Cc:", "Enviado:", "Assunto:"],
                "segunda-feira, 2 de novembro de 2026 10:01:00 GMT+1",
            ),
        ],
    );
}

#[test]
fn ro() {
    check(
        "ro",
        &[
            apple(
                "Începe mesajul redirecționat:",
                [
                    "Expeditorul:",
                    "Subiectul:",
                    "Dată:",
                    "Destinatarul:",
                    "Cc:",
                ],
            ),
            gmail("De la:"),
            thunderbird(
                "-------- Mesaj redirecționat --------",
                ["Subiect:", "Dată:", "de la:", "Către:", "CC:"],
            ),
            yahoo(
                "Mesaj redirecționat",
                ["De la:", "Către:", "Cc:", "Trimis:", "Subiect:"],
                "luni, 2 noiembrie 2026, 10:01:00 CET",
            ),
        ],
    );
}
