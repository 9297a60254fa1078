# Registers a Windows scheduled task that runs the fleet plan from this server every 15
# minutes as the NETWORK SERVICE account, recording into the shared PostgreSQL history.
# Run once, elevated:  powershell -ExecutionPolicy Bypass -File register-task.ps1
# portolan.exe is the packaged CLI (or a `portolan.cmd` shim from `npm install -g`).
param(
    [string]$Portolan = 'C:\Program Files\portolan\portolan.exe',
    [string]$History = $env:PORTOLAN_HISTORY
)
$ErrorActionPreference = 'Stop'

# The command line, on one line so that it can be read (and tested) as it is run.
# Forward slashes: Windows and portolan take them, and no quoting rule touches them.
$PortolanArguments = 'run C:/ProgramData/portolan/fleet.yaml --source-name WIN-SRV-01 --site site=hq --print none --quiet --output-dir C:/ProgramData/portolan/reports'
$PortolanArguments = $PortolanArguments -replace 'WIN-SRV-01', $env:COMPUTERNAME

if ($History) {
    # Machine-wide, so the task's account sees it; keep the URL's password out of the task itself.
    [Environment]::SetEnvironmentVariable('PORTOLAN_HISTORY', $History, 'Machine')
}

$action = New-ScheduledTaskAction -Execute $Portolan -Argument $PortolanArguments -WorkingDirectory 'C:\ProgramData\portolan'
$trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).Date -RepetitionInterval (New-TimeSpan -Minutes 15)
$principal = New-ScheduledTaskPrincipal -UserId 'NT AUTHORITY\NETWORK SERVICE' -LogonType ServiceAccount
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit (New-TimeSpan -Minutes 15) -MultipleInstances IgnoreNew -StartWhenAvailable
Register-ScheduledTask -TaskName 'portolan fleet check' -Action $action -Trigger $trigger -Principal $principal -Settings $settings -Force
