// Well-formed but unsigned DNSFilter-style keys for tests: the API is a stand-in, so only the
// shape and the claims matter.
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function makeApiKey(claims = {}) {
	const now = Math.floor(Date.now() / 1000);
	const payload = { sub: '4242', iat: now - 60, exp: now + 30 * 86400, ...claims };
	const signature = Buffer.from(`test-signature-${payload.sub}-${payload.exp}`).toString(
		'base64url',
	);
	return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}.${signature}`;
}
