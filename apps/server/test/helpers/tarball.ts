// The test tarballs come from the shared test kit.
export { tgz } from '@depot/testkit';
