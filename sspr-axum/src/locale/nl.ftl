# De pagina's van sspr-axum, in het Nederlands, met "u" en de termen van de bronpagina
# ("Hebt u geen toegang tot uw account?", "Werk- of schoolaccount", "Volgende",
# "gebruikers-id", "de tekens in de afbeelding of audio", "beheerder"). De berichten van
# de crate zelf (weigeringen, redenen van een blokkade, afloop) komen uit de teksten van
# sspr.

## Het kader van elke pagina
language-name = Nederlands
page-site = Wachtwoord opnieuw instellen
page-title = { $title } – Wachtwoord opnieuw instellen
page-title-error = Fout: { $title }
page-language-switch = Taal
page-error-summary = Er is iets niet in orde
page-error-prefix = Fout:{" "}
page-next = Volgende

## Hebt u geen toegang tot uw account?
page-account-title = Hebt u geen toegang tot uw account?
page-account-legend = Met wat voor account hebt u hulp nodig?
page-account-work = Werk- of schoolaccount
page-account-work-hint = Een account dat u van uw organisatie hebt gekregen
page-account-personal = Persoonlijk account
page-account-personal-hint = Een account dat u zelf hebt gemaakt

## Gebruikers-id en controle
page-identify-title = Wie bent u?
page-identify-intro-image = Typ uw gebruikers-id en de tekens in de afbeelding om uw wachtwoord opnieuw in te stellen.
page-identify-intro-audio = Typ uw gebruikers-id en de cijfers in de audio om uw wachtwoord opnieuw in te stellen.
page-user-id = Gebruikers-id
page-user-id-hint = Bijvoorbeeld naam@organisatie.example
page-answer-image = Tekens in de afbeelding
page-answer-image-hint = Typ de { $length } letters en cijfers die u ziet; hoofdletters of kleine letters maakt niet uit.
page-answer-audio = Cijfers in de audio
page-answer-audio-hint = Typ de { $length } cijfers die u hoort, als getal of als woord.
page-picture-alt = Een afbeelding met { $length } tekens. Typ ze in het vak hieronder. Kunt u ze niet lezen, kies dan “Luister naar een audiofragment” of “Toon een andere afbeelding”.
page-audio-help = Speel het fragment af en typ de { $length } cijfers die u hoort. Achter de cijfers klinken andere stemmen: let op de getallen.
page-audio-download = Het audiofragment downloaden
page-audio-download-wav = Het audiofragment downloaden (WAV)
page-audio-keys = Druk in het vak hieronder alleen op Ctrl om het fragment af te spelen of te pauzeren.
page-switch-to-audio = Luister naar een audiofragment
page-switch-to-picture = Toon een afbeelding
page-new-picture = Toon een andere afbeelding
page-new-clip = Speel een ander fragment

## Een contactmethode kiezen
page-method-title = Kies hoe u een code krijgt
page-method-progress = Dit account heeft { $required } controles nodig. Dit is controle { $current } van { $required }.
page-method-legend = Waar mogen we een code naartoe sturen?
page-method-used = Al gecontroleerd
page-method-send = Code versturen

## De code
page-verify-title = Voer de code in
page-verify-sent-to = We hebben een code gestuurd via { $to }.
page-verify-sent-maybe = Als dit account zijn wachtwoord opnieuw kan instellen, hebben we een code gestuurd naar de eerste contactmethode die ervoor is geregistreerd. Het kan een minuut duren voordat die aankomt.
page-verify-deadline = De code werkt tot { $time }.
page-code = Code
page-code-hint = { $digits } cijfers
page-verify-submit = Controleren
page-resend = Stuur een nieuwe code
page-another-method = Gebruik een andere contactmethode

## Het nieuwe wachtwoord
page-password-title = Stel uw nieuwe wachtwoord in
page-password-for = Voor { $user }.
page-new-password = Nieuw wachtwoord
page-new-password-hint = Minstens { $min } tekens. Een paar ongewone woorden werken goed; gebruik niet uw gebruikers-id of een wachtwoord dat u ergens anders gebruikt.
page-confirm = Typ het nieuwe wachtwoord nog een keer
page-password-submit = Wachtwoord wijzigen

## Afloop
page-start-again = Opnieuw beginnen
page-completed-title = Uw wachtwoord is gewijzigd
page-completed-when = Het wachtwoord van { $user } is gewijzigd op { $time }.
page-completed-methods = U hebt bewezen dat u het bent met: { $methods }.
page-completed-and = { " " }en{ " " }
page-completed-notice = We hebben uw contactmethoden een bericht gestuurd om u dit te laten weten. Gebruik het nieuwe wachtwoord overal waar u zich aanmeldt.
page-sign-in-new = Aanmelden met uw nieuwe wachtwoord
page-ask-admin-title = Vraag uw beheerder uw wachtwoord opnieuw in te stellen
page-ask-admin-why = U kunt dit wachtwoord niet zelf opnieuw instellen: selfservice voor het opnieuw instellen van wachtwoorden is voor dit account niet beschikbaar.
page-ask-admin-what = Wat u uw beheerder vraagt
page-ask-admin-ask = Vraag de beheerder of de helpdesk van uw organisatie om uw wachtwoord opnieuw in te stellen. Vermeld daarbij:
page-ask-admin-user-id = uw gebruikers-id;
page-ask-admin-not-allowed = dat u uw wachtwoord niet zelf opnieuw kon instellen.
page-ask-admin-temporary = Uw beheerder kan u een tijdelijk wachtwoord geven, dat u wijzigt wanneer u zich de volgende keer aanmeldt. Uw beheerder kan ook selfservice voor uw account inschakelen.
page-back-to-sign-in = Terug naar aanmelden
page-locked-title = Opnieuw instellen geblokkeerd
page-locked-until = Voor uw veiligheid kan dit account zijn wachtwoord pas op { $time } opnieuw instellen. Probeer het dan opnieuw, of vraag uw beheerder het voor u te doen.
page-locked-start-again = U kunt opnieuw beginnen.
page-expired-title = Deze aanvraag is verlopen
page-expired-text = Een wachtwoord moet binnen een paar minuten opnieuw worden ingesteld, en dit duurde langer. Er is niets gewijzigd.
page-personal-title = Dit is een persoonlijk account
page-personal-text = Op deze pagina stelt u alleen wachtwoorden van werk- en schoolaccounts opnieuw in. Een persoonlijk account herstelt u bij de eigen aanbieder ervan.
page-personal-recover = Uw persoonlijke account herstellen
page-personal-elsewhere = Ga naar de aanmeldpagina van de dienst waar u het account hebt gemaakt en gebruik daar de koppeling voor een vergeten wachtwoord.
page-personal-work-after-all = Het is toch een werk- of schoolaccount

## Wat er misging
page-continue = Ga verder met het opnieuw instellen
page-out-of-date-title = Deze pagina is verouderd
page-out-of-date-text = U bent teruggegaan, of hebt deze pagina twee keer verstuurd, en het opnieuw instellen is intussen verder gegaan. Er is niets opnieuw verstuurd. Uw aanvraag is nog open.
page-out-of-date-continue = Ga verder waar u was
page-no-flow-title = Deze aanvraag is niet meer open
page-no-flow-text = Ze is afgerond, verlopen of in een ander venster gestart. Er is niets gewijzigd.
page-forbidden-title = Dit formulier kan niet worden aangenomen
page-forbidden-text = Dit formulier kwam niet van deze pagina, of het is van een eerder bezoek. Er is niets gewijzigd.
page-bad-request-title = Dit formulier kan niet worden gelezen
page-bad-request-text = Het formulier was niet een van de formulieren van deze dienst. Er is niets gewijzigd.
page-too-large-title = Er is te veel verstuurd
page-too-large-text = Wat er is verstuurd, is veel langer dan deze dienst ooit nodig heeft. Er is niets gewijzigd.
page-headers-too-large-title = De aanvraag is te groot
page-headers-too-large-text = De aanvraag bevatte meer dan deze dienst aanneemt (bijvoorbeeld te veel of te grote cookies).
page-too-many-title = Te veel pogingen
page-too-many-text = { $seconds ->
    [0] Er kwamen te veel pogingen van uw netwerk. Wacht een seconde en probeer het opnieuw.
    [1] Er kwamen te veel pogingen van uw netwerk. Wacht een seconde en probeer het opnieuw.
   *[other] Er kwamen te veel pogingen van uw netwerk. Wacht { $seconds } seconden en probeer het opnieuw.
}
page-too-many-minutes = Er kwamen te veel pogingen van uw netwerk. Wacht { $minutes } minuten en probeer het opnieuw.
page-busy-title = De dienst is druk
page-busy-text = Er worden te veel wachtwoorden tegelijk opnieuw ingesteld. Probeer het over een paar minuten opnieuw.
page-unavailable-title = De dienst is niet beschikbaar
page-unavailable-text = Iets achter deze dienst gaf geen antwoord. Er is niets gewijzigd: probeer het over een minuut opnieuw.
page-try-again = Opnieuw proberen
page-not-found-title = Pagina niet gevonden
page-not-found-text = Er is geen pagina op dit adres.

## Een nieuwe globale beheerder aanvragen
page-ask-admin-left = Als uw globale beheerder is vertrokken
page-ask-admin-left-text = Heeft uw organisatie geen globale beheerder meer, dan kan niemand daar wachtwoorden opnieuw instellen. Support kan iemand anders globale beheerder maken zodra ze weten wie u bent en om welk bedrijf het gaat.
page-support-link = Vraag support om een nieuwe globale beheerder
page-support-title = Een nieuwe globale beheerder aanvragen
page-support-intro = De globale beheerder van uw organisatie is vertrokken of heeft een andere rol, en niemand anders kan de accounts beheren. Vertel support wie u bent en om welke organisatie het gaat: ze nemen contact met u op om dat te controleren voordat ze iemand globale beheerder maken.
page-support-name = Uw naam
page-support-email = E-mailadres
page-support-email-hint = Waar support u kan bereiken: geen adres van de accounts van de organisatie als u zich daar niet kunt aanmelden.
page-support-phone = Telefoonnummer
page-support-company = Bedrijfsnaam
page-support-organisation = Domein van de organisatie
page-support-organisation-hint = Bijvoorbeeld contoso.example
page-support-explanation = Wat er is gebeurd
page-support-explanation-hint = Wanneer de globale beheerder is vertrokken, en wie het moet overnemen.
page-support-submit = Aanvraag versturen
page-support-filed-title = Uw aanvraag is verstuurd
page-support-filed-ticket = Uw ticket: { $ticket }
page-support-filed-next = Support neemt contact met u op om te controleren wie u bent en wat de gegevens van uw bedrijf zijn. Houd het ticketnummer bij de hand.
page-support-filed-back = Terug naar het begin

## Een herstelkoppeling van een beheerder
page-link-title = Stel een nieuw wachtwoord in
page-link-intro = Uw beheerder heeft u deze koppeling gestuurd om een nieuw wachtwoord in te stellen. Ze werkt één keer. Typ uw gebruikers-id en kies een nieuw wachtwoord.
page-link-password-hint = Een paar ongewone woorden werken goed; gebruik niet uw gebruikers-id of een wachtwoord dat u ergens anders gebruikt.

## "Neem contact op met uw beheerder"
page-ask-admin-from-here = Vraag het uw beheerders vanaf hier
page-contact-link = Vraag mijn beheerders mijn wachtwoord opnieuw in te stellen
page-contact-title = Vraag uw beheerders uw wachtwoord opnieuw in te stellen
page-contact-intro = Typ uw gebruikers-id: de beheerders van uw organisatie die uw wachtwoord opnieuw mogen instellen, krijgen een bericht van ons. Ze nemen contact met u op zoals ze dat altijd doen.
page-contact-submit = Verzoek versturen
page-contact-sent-title = Uw verzoek is verstuurd
page-contact-sent-text = Als dit account bestaat en een beheerder van uw organisatie het wachtwoord opnieuw mag instellen, heeft die een bericht van ons gekregen. Wacht tot u iets hoort; u hoeft het niet nog eens te vragen.

## Wijzigen bij de volgende aanmelding (een tijdelijk wachtwoord van de beheerder)
page-change-title = Wijzig uw wachtwoord
page-change-intro = Uw beheerder heeft uw wachtwoord vervangen door een tijdelijk wachtwoord. Kies nu uw eigen wachtwoord: typ uw gebruikers-id, het tijdelijke wachtwoord en twee keer uw nieuwe wachtwoord.
page-change-temporary = Tijdelijk wachtwoord

## Contactmethoden registreren
page-register-title = Registreer uw contactmethoden
page-register-intro = Een code om uw wachtwoord opnieuw in te stellen gaat alleen naar een methode die u hier hebt geregistreerd. Meld u aan met uw wachtwoord; we sturen een code naar een methode die u al hebt, om te bewijzen dat u het bent, en daarna een naar de nieuwe methode, om te bewijzen dat die u bereikt.
page-register-password = Wachtwoord
page-register-action = Wat wilt u doen?
page-register-add = Een methode toevoegen
page-register-confirm = Bevestigen dat mijn methoden nog kloppen
page-register-confirm-hint = We vragen het om de paar maanden: er gaat een code naar uw eerste methode.
page-register-kind = Soort methode (als u er een toevoegt)
page-register-address = Telefoonnummer of e-mailadres (als u er een toevoegt)
page-register-address-hint = Bijvoorbeeld +31 6 12345678 of naam@example.com: niet uw werkadres, dat u niet kunt bereiken als u bent buitengesloten.
page-register-submit = Code versturen
page-register-codes-title = Typ de code die we hebben gestuurd
page-register-proved = Die code klopt: u bent het. Nu de code die we naar de nieuwe methode hebben gestuurd.
page-register-new-code = Code gestuurd naar { $to } (de nieuwe methode)
page-register-current-code = Code gestuurd naar { $to } (een methode die u hebt)
page-register-codes-submit = Registreren
page-registered-title = Uw methoden zijn geregistreerd
page-registered-text = Bevestigd op { $time }. Uw methoden:
page-registered-next = We hebben het u op elke methode laten weten. Een code om uw wachtwoord opnieuw in te stellen kan naar elk ervan gaan.
