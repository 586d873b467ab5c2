@echo off
rem vaultbot on Windows: a Task Scheduler task that runs vaultbot every hour at minute 17, as you,
rem while you are logged on. After `pipx install` (which puts vaultbot.exe in %USERPROFILE%\.local\bin),
rem edit the vault path below (%USERPROFILE%\Notes) if yours is elsewhere, then run this file once.
rem Typed into PowerShell instead of cmd.exe, the line needs $env:USERPROFILE for %USERPROFILE%.
rem Each run's result: schtasks /Query /TN vaultbot /V /FO LIST ("Last Result": 0 ok, 3 the run failed).
rem Remove the task: schtasks /Delete /TN vaultbot /F
schtasks /Create /TN vaultbot /SC HOURLY /ST 00:17 /TR "\"%USERPROFILE%\.local\bin\vaultbot.exe\" run \"%USERPROFILE%\Notes\" --push --quiet" /F
