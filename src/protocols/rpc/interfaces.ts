/**
 * Names of RPC interfaces that matter for Windows server roles, keyed by interface UUID
 * (lower case). Sources: the MS-* specifications named per line, impacket's and
 * OpenVAS' dcetest UUID tables.
 */
const NAMES: Record<string, string> = {
  'e1af8308-5d1f-11c9-91a4-08002b14a0fa': 'Endpoint Mapper',
  'e3514235-4b06-11d1-ab04-00c04fc2dcd2': 'DRSUAPI (AD replication, MS-DRSR)',
  '12345678-1234-abcd-ef00-01234567cffb': 'Netlogon (MS-NRPC)',
  '12345778-1234-abcd-ef00-0123456789ab': 'LSARPC (MS-LSAD)',
  '3919286a-b10c-11d0-9ba8-00c04fd92ef5': 'DSSETUP (MS-DSSP)',
  '12345778-1234-abcd-ef00-0123456789ac': 'SAMR (MS-SAMR)',
  'b9785960-524f-11df-8b6d-83dcded72085': 'Group Key Distribution (MS-GKDI)',
  '50abc2a4-574d-40b3-9d66-ee4fd5fba076': 'DNS Server (MS-DNSP)',
  '6bffd098-a112-3610-9833-46c3f874532d': 'DHCP Server (MS-DHCPM)',
  '5b821720-f63b-11d0-aad2-00c04fc324db': 'DHCP Server v2 (MS-DHCPM)',
  '45f52c28-7f9f-101a-b52b-08002b2efabe': 'WINS (MS-RAIW)',
  'f5cc59b4-4264-101a-8c59-08002b2f8426': 'FRS (MS-FRS1)',
  '897e2e5f-93f3-4376-9c9c-fd2277495c27': 'DFS-R (MS-FRS2)',
  '4fc742e0-4a10-11cf-8273-00aa004ae673': 'DFS Namespace (MS-DFSNM)',
  '367abb81-9844-35f1-ad32-98f038001003': 'Service Control Manager (MS-SCMR)',
  '86d35949-83c9-4044-b424-db363231fd0c': 'Task Scheduler (MS-TSCH)',
  '1ff70682-0a51-30e8-076d-740be8cee98b': 'Task Scheduler ATSvc (MS-TSCH)',
  '378e52b0-c0a9-11cf-822d-00aa0051e40f': 'Task Scheduler SASec (MS-TSCH)',
  'f6beaff7-1e19-4fbb-9f8f-b89e2018337c': 'Event Log (MS-EVEN6)',
  '82273fdc-e32a-18c3-3f78-827929dc23ea': 'Event Log legacy (MS-EVEN)',
  '6b5bdd1e-528c-422c-af8c-a4079be4fe48': 'Windows Firewall management (MS-FASP)',
  '12345678-1234-abcd-ef00-0123456789ab': 'Print Spooler (MS-RPRN)',
  '76f03f96-cdfd-44fc-a22c-64950a001209': 'Print Spooler async (MS-PAR)',
  'fdb3a030-065f-11d1-bb9b-00a024ea5525': 'MSMQ qmcomm (MS-MQMR)',
  '1a9134dd-7b39-45ba-ad88-44d01ca47f28': 'MSMQ qm2qm (MS-MQRR)',
  '906b0ce0-c70b-1067-b317-00dd010662da': 'MSDTC (MS-CMPO)',
  '91ae6020-9e3c-11cf-8d7c-00aa00c091be': 'Certificate Services ICertPassage (MS-ICPR)',
  'd99e6e70-fc88-11d0-b498-00a0c90312f3': 'Certificate Services ICertRequestD (MS-WCCE)',
  '5422fd3a-d4b8-4cef-a12e-e87d4ca22e90': 'Certificate Services ICertRequestD2 (MS-WCCE)',
  '000001a0-0000-0000-c000-000000000046': 'DCOM ISystemActivator (MS-DCOM)',
  '99fcfec4-5260-101b-bbcb-00aa0021347a': 'DCOM IObjectExporter (MS-DCOM)',
  '00000131-0000-0000-c000-000000000046': 'DCOM IRemUnknown (MS-DCOM)',
  '00000143-0000-0000-c000-000000000046': 'DCOM IRemUnknown2 (MS-DCOM)',
  '4b324fc8-1670-01d3-1278-5a47bf6ee188': 'Server service SRVSVC (MS-SRVS)',
  '6bffd098-a112-3610-9833-46c3f87e345a': 'Workstation service WKSSVC (MS-WKST)',
  '338cd001-2244-31f1-aaaa-900038001003': 'Remote Registry (MS-RRP)',
  'c681d488-d850-11d0-8c52-00c04fd90f7e': 'EFS (MS-EFSR)',
  'df1941c5-fe89-4e79-bf10-463657acf44d': 'EFS (MS-EFSR)',
  '12b81e99-f207-4a4c-85d3-77b42f76fd14': 'Secondary Logon',
  '8fb6d884-2388-11d0-8c35-00c04fda2795': 'Windows Time (MS-W32T)',
  '894de0c0-0d55-11d3-a322-00c04fa321a1': 'Remote Shutdown (MS-RSP)',
};

/** The well-known name of `uuid`, or null. */
export function interfaceName(uuid: string): string | null {
  return NAMES[uuid.toLowerCase()] ?? null;
}

/** Short name for evidence lines: the part before the parenthesis. */
export function shortInterfaceName(uuid: string): string | null {
  const name = interfaceName(uuid);
  return name ? name.replace(/ \(.*\)$/, '') : null;
}
