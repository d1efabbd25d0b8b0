# De eigen teksten van het terminalvoorbeeld (de berichten van de crate komen uit
# sspr::locale).
cli-leave = Typ stoppen bij een vraag om te stoppen.
cli-goodbye = Tot ziens.
cli-input-ended = De invoer is afgelopen: tot ziens.
cli-start-again = Druk op Enter om opnieuw te beginnen.
cli-account-type = Hebt u geen toegang tot uw account? Wat voor account is het?
    1) Werk- of schoolaccount
    2) Persoonlijk account
cli-type-1-or-2 = Typ 1 of 2.
cli-challenge-prompt = Typ de tekens, of: { $other } (wisselen) · nieuw (een andere) · stoppen
cli-already-kind = Dit is al de controle met { $kind }.
cli-challenge-shown = { $kind ->
    [image] De afbeelding: { $path } ({ $kb } KB). Open hem en typ de tekens die u ziet.
   *[audio] Het geluidsfragment: { $path } ({ $kb } KB). Speel het af en typ de cijfers die u hoort (als cijfers of als woorden).
}
cli-challenge-not-written = De controle kon niet worden opgeslagen: typ { $other } of nieuw.
cli-user-id = Gebruikers-id (bijvoorbeeld jan.jansen@contoso.nl):
cli-where-code = Waar moet de code naartoe? Typ het nummer.
cli-type-number = Typ een van de getoonde nummers.
cli-prove = Bewijs dat het uw account is: verificatie { $step } van { $required }.
cli-verified = (geverifieerd ✔)
cli-code-prompt = Typ de code, of: opnieuw · terug (andere methode) · stoppen
cli-code-sent-to = Er is een code verzonden naar { $to }.
cli-code-sent-concealed = Als dit account het wachtwoord opnieuw kan instellen, is er een code verzonden.
cli-code-works = De code werkt tot { $until }; { $attempts_left ->
    [one] nog 1 poging.
   *[other] nog { $attempts_left } pogingen.
}
cli-choose-password = Stel uw nieuwe wachtwoord in voor { $user }: { $min } tot { $max } tekens; een paar ongewone woorden werkt goed.
cli-shows-typing = (Dit voorbeeld toont wat u typt; een echte toepassing verbergt het.)
cli-new-password = Nieuw wachtwoord:
cli-again = Typ het nogmaals:
cli-checking = Controleren (een toegestaan wachtwoord wordt met Argon2id gehasht)...
cli-completed = Uw wachtwoord is gewijzigd. Meld u er voortaan mee aan; de toepassing beëindigt uw andere sessies.
cli-image = afbeelding
cli-audio = audio
cli-menu = Wat wilt u doen? Typ het nummer.
    1) Mijn wachtwoord opnieuw instellen ("Hebt u geen toegang tot uw account?")
    2) Aanmelden met een tijdelijk wachtwoord en het wijzigen
    3) Mijn contactmethoden registreren of wijzigen
    4) Mijn beheerders vragen mijn wachtwoord opnieuw in te stellen
    5) Als beheerder: het wachtwoord van een gebruiker op een tijdelijk wachtwoord zetten
    6) Als beheerder: een gebruiker een koppeling voor een nieuw wachtwoord sturen
    7) Een koppeling voor een nieuw wachtwoord gebruiken
    8) Ondersteuning vragen om een nieuwe globale beheerder (de onze is vertrokken)
cli-type-menu = Typ een nummer van 1 tot en met 8.
cli-admin-id = Uw gebruikers-id als beheerder (bijvoorbeeld beheerder@contoso.nl):
cli-target-id = De gebruikers-id van het account:
cli-temporary-password = Het tijdelijke wachtwoord van { $user } is { $password } (één keer getoond; het werkt tot { $until }). Geef het via een eigen kanaal door.
cli-admin-refused = Geweigerd: { $reason }
cli-link-sent = Een koppeling voor { $user } werkt één keer, tot { $until }. De host mailt haar; dit is het token: { $token }
cli-link-token = Het token van de koppeling:
cli-temporary-prompt = Uw tijdelijke wachtwoord:
cli-changed = Uw wachtwoord is gewijzigd.
cli-password = Uw wachtwoord:
cli-registration-action = Wat wilt u met uw methoden doen?
    1) Een methode toevoegen
    2) Een methode vervangen
    3) Een methode verwijderen
    4) Bevestigen dat ze nog kloppen
cli-registration-kind = Welke soort? 1) e-mail  2) sms  3) telefoongesprek
cli-registration-address = Het e-mailadres of telefoonnummer:
cli-registration-which = Welke methode? Typ het nummer.
cli-registration-methods = Uw methoden nu:
cli-registration-new-code = Typ de code die naar { $to } is gestuurd:
cli-registration-current-code = Typ de code die naar { $to } is gestuurd (een methode die u al hebt):
cli-registration-proved = Die code klopt: u bent het. Er is een code naar de nieuwe methode gestuurd.
cli-registration-done = Klaar: uw methoden zijn opgeslagen (bevestigd { $at }).
cli-asked-admins = Als dit account bestaat en een beheerder het mag opnieuw instellen, zijn de beheerders gevraagd.
cli-support-name = Uw naam:
cli-support-email = Uw e-mailadres:
cli-support-phone = Uw telefoonnummer:
cli-support-company = De naam van uw bedrijf:
cli-support-domain = Het domein van uw organisatie (bijvoorbeeld contoso.nl):
cli-support-explanation = Wat is er gebeurd (bijvoorbeeld: onze globale beheerder is in maart vertrokken):
cli-support-filed = Ondersteuning heeft ticket { $ticket } aangemaakt: zij nemen contact met u op om te controleren wie u bent.
