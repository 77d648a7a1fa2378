// Certificates made by the TLS tests, with openssl, in a temporary folder: a private CA, and servers'
// certificates that are self-signed, expired, or for another name.
const decoder = new TextDecoder();

const openssl = async (dir: string, ...args: string[]): Promise<void> => {
  const o = await new Deno.Command("openssl", { args, cwd: dir, stdout: "piped", stderr: "piped" })
    .output().catch((e) => {
      throw e instanceof Deno.errors.NotFound
        ? new Error(
          "the TLS tests make their certificates with openssl: apt-get install -y openssl",
        )
        : e;
    });
  if (!o.success) throw new Error(`openssl ${args[0]}: ${decoder.decode(o.stderr)}`);
};

/** P-256 keys: quick to make. */
const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
const localNames = "subjectAltName=DNS:localhost,IP:127.0.0.1";

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface Certs {
  /** The private CA's certificate (a file path, for --cacert). */
  readonly caFile: string;
  /** Self-signed, as `openssl req -x509` makes it (marked as a CA), for localhost and 127.0.0.1. */
  readonly selfSigned: CertPair;
  /** Issued by the CA for localhost and 127.0.0.1, valid only on 1–2 January 2020. */
  readonly expired: CertPair;
  /** Issued by the CA for other.example only. */
  readonly otherName: CertPair;
  /** Self-signed, not a CA, for pinned.example only: what --insecure can pin. */
  readonly pinnable: CertPair;
  /** Issued by the CA for localhost and 127.0.0.1, valid now: what --cacert verifies. */
  readonly valid: CertPair;
  readonly dir: string;
}

const pair = async (dir: string, name: string): Promise<CertPair> => ({
  cert: await Deno.readTextFile(`${dir}/${name}.crt`),
  key: await Deno.readTextFile(`${dir}/${name}.key`),
});

export const makeCerts = async (): Promise<Certs> => {
  const dir = await Deno.makeTempDir({ prefix: "salvo-certs-" });
  const o = (...args: string[]) => openssl(dir, ...args);
  await o(
    "req",
    "-x509",
    ...newKey,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=salvo test CA",
  );
  await o(
    "req",
    "-x509",
    ...newKey,
    "-keyout",
    "self.key",
    "-out",
    "self.crt",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    localNames,
  );
  await o(
    "req",
    "-x509",
    ...newKey,
    "-keyout",
    "pinned.key",
    "-out",
    "pinned.crt",
    "-days",
    "2",
    "-subj",
    "/CN=pinned.example",
    "-addext",
    "basicConstraints=critical,CA:FALSE",
    "-addext",
    "subjectAltName=DNS:pinned.example",
  );
  // Issued by the CA: `openssl ca` sets any validity period, past ones included.
  await Deno.writeTextFile(
    `${dir}/ca.cnf`,
    "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n" +
      "default_md = sha256\npolicy = p\ncopy_extensions = copy\nunique_subject = no\n[p]\ncommonName = supplied\n",
  );
  await Deno.writeTextFile(`${dir}/index.txt`, "");
  await Deno.writeTextFile(`${dir}/serial`, "01\n");
  const issue = async (name: string, cn: string, names: string, dates: string[]) => {
    await o(
      "req",
      "-new",
      ...newKey,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${cn}`,
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-addext",
      names,
    );
    await o(
      "ca",
      "-batch",
      "-config",
      "ca.cnf",
      "-cert",
      "ca.crt",
      "-keyfile",
      "ca.key",
      "-in",
      `${name}.csr`,
      "-out",
      `${name}.crt`,
      "-notext",
      ...dates,
    );
  };
  await issue("expired", "localhost", localNames, [
    "-startdate",
    "20200101000000Z",
    "-enddate",
    "20200102000000Z",
  ]);
  await issue("other", "other.example", "subjectAltName=DNS:other.example", ["-days", "2"]);
  await issue("valid", "localhost", localNames, ["-days", "2"]);
  return {
    dir,
    caFile: `${dir}/ca.crt`,
    selfSigned: await pair(dir, "self"),
    expired: await pair(dir, "expired"),
    otherName: await pair(dir, "other"),
    pinnable: await pair(dir, "pinned"),
    valid: await pair(dir, "valid"),
  };
};

/** An HTTPS server on 127.0.0.1 presenting `p`, counting the requests it answers. */
export const tlsServer = (p: CertPair) => {
  let count = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: p.cert, key: p.key, onListen: () => {} },
    () => {
      count++;
      return new Response("ok");
    },
  );
  return {
    url: `https://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`,
    port: (server.addr as Deno.NetAddr).port,
    count: () => count,
    stop: () => server.shutdown(),
  };
};
