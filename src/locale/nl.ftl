# Nederlandse berichten van sspr: één per `Message::message_id`, met "u", in de termen
# van de bronpagina ("wachtwoord opnieuw instellen", "gebruikers-id", "de tekens in de
# afbeelding of audio", "beheerder"). `$until` en `$hint` zijn "none" als de waarde er
# niet is.

## Wat een wachtwoord makkelijk te raden maakt (binnen password-too-weak)
password-hint-common = het is een veelgebruikt wachtwoord
password-hint-similar-to-common = het lijkt op een veelgebruikt wachtwoord
password-hint-keyboard-pattern = rijen en patronen van toetsen zijn makkelijk te raden
password-hint-repeats = herhaalde tekens of groepen zijn makkelijk te raden
password-hint-sequence = reeksen zoals abc of 6543 zijn makkelijk te raden
password-hint-dates-or-years = datums en jaartallen zijn makkelijk te raden
password-hint-single-word = één los woord is makkelijk te raden
password-hint-names = voornamen en achternamen zijn makkelijk te raden

## Het nieuwe wachtwoord
password-too-short = { $min ->
    [one] Het wachtwoord is te kort: gebruik minstens 1 teken.
   *[other] Het wachtwoord is te kort: gebruik minstens { $min } tekens.
}
password-too-long = Het wachtwoord is te lang: gebruik hoogstens { $max } tekens.
password-control-character = Het wachtwoord bevat een stuurteken, zoals een tab of een regeleinde: gebruik alleen tekens die u kunt typen.
password-mismatch = De twee wachtwoorden zijn niet gelijk: typ in beide vakken hetzelfde nieuwe wachtwoord.
password-contains-user-id = Het wachtwoord bevat uw gebruikers-id of gebruikersnaam: kies een wachtwoord zonder.
password-banned = Het wachtwoord bevat een woord of naam die uw organisatie niet toestaat: kies een ander wachtwoord.
password-too-weak = { $hint ->
    [none] Het wachtwoord is te makkelijk te raden: voeg nog een of twee woorden toe; ongewone woorden zijn beter.
   *[other] Het wachtwoord is te makkelijk te raden ({ $hint }): voeg nog een of twee woorden toe; ongewone woorden zijn beter.
}
password-same-as-current = Het nieuwe wachtwoord is gelijk aan uw huidige: kies een ander wachtwoord.

## De gebruikers-id
user-id-empty = Voer uw gebruikers-id in, bijvoorbeeld naam@organisatie.example.
user-id-too-long = Een gebruikers-id heeft hoogstens { $max_bytes } bytes.
user-id-invalid-character = Een gebruikers-id kan geen spaties of stuurtekens bevatten.
user-id-invisible-character = Een gebruikers-id kan geen onzichtbare tekens bevatten, zoals zachte afbreekstreepjes of spaties zonder breedte: typ de id in plaats van hem te plakken.
user-id-bidi-control = Een gebruikers-id kan geen tekens voor de schrijfrichting bevatten: typ de id in plaats van hem te plakken.

## De tekens in de afbeelding of audio
answer-empty = Er zijn geen tekens ingevoerd: typ de tekens in de afbeelding of audio.
answer-too-long = De invoer is langer dan { $max } tekens: typ alleen de getoonde tekens.

## De serviceaanvraag voor een nieuwe globale beheerder
support-field-name = naam
support-field-email-address = e-mailadres
support-field-phone-number = telefoonnummer
support-field-company-name = bedrijfsnaam
support-field-organisation-domain = domein van de organisatie
support-field-explanation = toelichting
support-request-missing = Vul het veld { $field } in.
support-request-too-long = Het veld { $field } heeft hoogstens { $max } tekens.
support-request-control-character = Het veld { $field } bevat tekens die niet getypt kunnen worden.
support-request-email = Voer een e-mailadres in waarop de ondersteuning u kan bereiken.
support-desk-unavailable = De ondersteuning is niet bereikbaar; probeer het opnieuw.

## De id van een herstelpoging (de koppeling of cookie)
flow-id-length = Een id van een herstelpoging heeft 32 tekens.
flow-id-character = Een id van een herstelpoging bevat alleen de tekens 0-9 en a-f.
flow-id-entropy = De toevalsgenerator van het besturingssysteem werkte niet; probeer het opnieuw.

## Waarom een herstelpoging is geblokkeerd
lock-challenge-attempts = te veel verkeerde antwoorden op de controle
lock-code-attempts = te veel verkeerde codes
lock-user-blocked = te veel codes of verkeerde codes voor dit account
lock-password-attempts = te veel geweigerde nieuwe wachtwoorden

## Hoe een herstelpoging eindigt
ending-personal-account = Dit is een persoonlijk account: herstel het bij de aanbieder van uw account.
ending-ask-admin = U kunt dit wachtwoord niet zelf opnieuw instellen: vraag uw beheerder om het voor u opnieuw in te stellen.
ending-locked = { $until ->
    [none] Deze herstelpoging is geblokkeerd ({ $reason }). Begin later opnieuw.
   *[other] Deze herstelpoging is geblokkeerd ({ $reason }) tot { $until }.
}
ending-expired = Deze herstelpoging is verlopen: begin opnieuw.
ending-completed = Uw wachtwoord is gewijzigd.

## Weigeringen die u kunt herstellen
refusal-wrong-answer = { $attempts_left ->
    [one] Dat zijn niet de getoonde tekens; probeer de nieuwe controle (nog 1 poging).
   *[other] Dat zijn niet de getoonde tekens; probeer de nieuwe controle (nog { $attempts_left } pogingen).
}
refusal-challenge-expired = De controle is verlopen; probeer de nieuwe.
refusal-no-more-challenges = Er zijn geen nieuwe controles meer in deze herstelpoging; beantwoord deze of begin opnieuw.
refusal-unknown-method = Kies een van de getoonde contactmethoden.
refusal-code-format = Voer de code van { $digits } cijfers in.
refusal-wrong-code = { $attempts_left ->
    [one] Die code klopt niet (nog 1 poging).
   *[other] Die code klopt niet (nog { $attempts_left } pogingen).
}
refusal-code-expired = De code is verlopen; vraag een nieuwe aan.
refusal-no-more-resends = Er kunnen geen codes meer worden verzonden; gebruik de laatste of begin opnieuw.
service-unavailable = De dienst is niet beschikbaar; probeer het opnieuw.

## Een opgeslagen herstelpoging
flow-missing = Deze herstelpoging is niet meer open; begin opnieuw.
flow-stale = Deze pagina is verouderd; ga verder vanaf de laatste pagina.
flow-expired = Deze herstelpoging is verlopen; begin opnieuw.
flow-damaged = De opgeslagen herstelpoging is beschadigd; begin opnieuw.
flow-no-challenge = Deze pagina heeft geen controle om te tonen.

## Het tijdelijke wachtwoord van een beheerder wijzigen
forced-change-wrong-temporary-password = De gebruikers-id of het tijdelijke wachtwoord klopt niet.
forced-change-temporary-password-expired = Het tijdelijke wachtwoord is verlopen; vraag uw beheerder om een nieuw.

## Een herstel door een beheerder
admin-reset-not-allowed = U kunt het wachtwoord van dit account niet opnieuw instellen.
admin-reset-no-such-user = Dit account bestaat niet.

## De opslag van herstelpogingen
store-full = Er lopen te veel herstelpogingen ({ $capacity }); probeer het over een paar minuten opnieuw.
store-expired = De herstelpoging verliep voordat ze kon worden opgeslagen; begin opnieuw.
store-unavailable = De opslag van herstelpogingen is niet beschikbaar.

## Wat de verzenddienst stuurt
notice-password-changed = Het wachtwoord van uw account { $user } is gewijzigd. Hebt u dit niet zelf gedaan? Neem dan meteen contact op met uw beheerder.
notice-admin-password-changed = Het wachtwoord van beheerder { $user } van uw organisatie is opnieuw ingesteld. Had u dit niet verwacht? Controleer dat account dan meteen.
code-message = Uw code van { $digits } cijfers om uw wachtwoord opnieuw in te stellen is { $code }. De code werkt { $minutes } minuten. Geef hem aan niemand.

## Hoe een code iemand bereikt (voor een gemaskeerd adres: "sms +31 •• ••• ••78")
contact-email = e-mail
contact-sms = sms
contact-voice = telefoongesprek

## Herstelkoppelingen
link-not-valid = Deze koppeling werkt niet: ze is onjuist, al gebruikt, ingetrokken of verlopen. Vraag uw beheerder om een nieuwe.

## "Neem contact op met uw beheerder"
notice-reset-requested = { $user } kan het wachtwoord niet zelf opnieuw instellen en vraagt u, als beheerder die dat mag, het te doen. Weet u van geen verzoek, controleer dat dan eerst bij deze persoon.
contact-admins-too-many = Uw beheerders zijn vandaag al een paar keer gevraagd: wacht op hun antwoord.
notice-methods-changed = De contactmethoden van uw account { $user } zijn gewijzigd. Hebt u dit niet gedaan, neem dan meteen contact op met uw beheerder.
registration-wrong-password = De gebruikers-id of het wachtwoord is onjuist.
registration-change-password-first = Uw wachtwoord is tijdelijk: wijzig het eerst en registreer dan uw methoden.
registration-too-many-sign-ins = Te veel pogingen voor dit account: wacht een uur en probeer het dan opnieuw.
registration-invalid-address = Dit is geen e-mailadres of telefoonnummer dat een code kan ontvangen.
registration-already-registered = Deze methode is al geregistreerd.
registration-too-many-methods = Een account heeft hoogstens { $max } methoden: verwijder er eerst een.
registration-no-such-method = Deze methode bestaat niet.
registration-code-format = Voer elke code van { $digits } cijfers in die u hebt ontvangen.
registration-wrong-code = Een code is onjuist. { $attempts_left ->
    [one] U hebt nog één poging.
   *[other] U hebt nog { $attempts_left } pogingen.
}
registration-too-many-wrong-codes = Te veel onjuiste codes: begin opnieuw met registreren.
registration-code-expired = De codes zijn verlopen: begin opnieuw met registreren.
registration-too-many-checks = Er zijn vandaag te veel codes getypt voor dit account: begin morgen opnieuw met registreren.
registration-too-many-codes = Er zijn te veel codes verstuurd voor dit account: wacht een uur en probeer het dan opnieuw.
registration-blocked = Te veel onjuiste codes voor dit account: probeer het opnieuw na { $until }.
registration-methods-changed = Uw methoden zijn intussen gewijzigd: begin opnieuw met registreren.
registration-delivery-failed = De code kon niet worden bezorgd: controleer het adres of probeer het later opnieuw.
registration-not-valid = Deze registratie werkt niet meer: begin opnieuw.
