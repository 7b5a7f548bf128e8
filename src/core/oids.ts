/** Object identifiers used when reading and writing X.509 certificates. */
export const Oid = {
  commonName: "2.5.4.3",
  organizationName: "2.5.4.10",

  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extendedKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  nameConstraints: "2.5.29.30",
  certificatePolicies: "2.5.29.32",
  policyConstraints: "2.5.29.36",
  inhibitAnyPolicy: "2.5.29.54",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  tlsFeature: "1.3.6.1.5.5.7.1.24",
  embeddedSctList: "1.3.6.1.4.1.11129.2.4.2",

  serverAuth: "1.3.6.1.5.5.7.3.1",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  ocspSigning: "1.3.6.1.5.5.7.3.9",
  anyExtendedKeyUsage: "2.5.29.37.0",

  ecPublicKey: "1.2.840.10045.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  p256: "1.2.840.10045.3.1.7",
  p384: "1.3.132.0.34",
  p521: "1.3.132.0.35",

  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
  ecdsaWithSha512: "1.2.840.10045.4.3.4",
  sha256WithRsaEncryption: "1.2.840.113549.1.1.11",
  sha384WithRsaEncryption: "1.2.840.113549.1.1.12",
  sha512WithRsaEncryption: "1.2.840.113549.1.1.13",
} as const;
