declare module 'node-dig-dns' {
  namespace dig {
    interface DigOptions {
      raw?: boolean;
      dig?: string;
    }
    interface DigRecord {
      domain: string;
      ttl: string;
      class: string;
      type: string;
      value: string | { priority: string; server: string };
    }
    interface DigResult {
      header?: string[][];
      question?: string[][];
      answer?: DigRecord[];
      authority?: string[][];
      additional?: DigRecord[];
      time: number;
      server: string;
      datetime: string;
      size: number;
    }
  }
  function dig(args?: string[], options?: dig.DigOptions & { raw?: false }): Promise<dig.DigResult>;
  function dig(args: string[], options: dig.DigOptions & { raw: true }): Promise<string>;
  function dig(args?: string[], options?: dig.DigOptions): Promise<dig.DigResult | string>;
  export = dig;
}
