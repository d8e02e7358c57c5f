// What a user does in the n8n 2.41.1 editor, as Playwright steps. Every step waits on something
// the page itself shows (a locator, a response), never on a fixed delay. n8n marks its elements
// with data-test-id (scripts/browser/chromium.mjs makes getByTestId read it).
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Signs in on the editor's own sign-in page. */
export async function signIn(page, base, { email, password }) {
	await page.goto(`${base}/signin`);
	await page.getByTestId('emailOrLdapLoginId').locator('input').fill(email);
	await page.getByTestId('password').locator('input').fill(password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL(/\/home\//);
}

/** The visible options of the dropdown that is open now. */
export function visibleOptions(page) {
	return page.locator('[role=option]:visible, .el-select-dropdown__item:visible');
}

let marks = 0;

/**
 * Opens a select parameter, filters it by typing, and picks the option whose name (the first
 * line: options may show a description under it) is exactly this text.
 */
export async function chooseOption(page, container, parameterName, optionText) {
	await container.getByTestId(`parameter-input-${parameterName}`).click();
	await page.keyboard.type(optionText);
	const options = visibleOptions(page);
	await options.filter({ hasText: optionText }).first().waitFor();
	// The list filters some frames after the last key, so an index read before a click can point
	// at another option by then: the page marks the option it found and the click targets that mark.
	const mark = `choose-${parameterName}-${++marks}`;
	const deadline = Date.now() + 30_000;
	for (;;) {
		const names = await options.evaluateAll(
			(els, [want, tag]) => {
				const found = els.find((el) => el.innerText.split('\n')[0].trim() === want);
				if (found) found.setAttribute('data-choose', tag);
				return found ? null : els.map((el) => el.innerText.split('\n')[0].trim());
			},
			[optionText, mark],
		);
		if (!names) {
			const clicked = await page
				.locator(`[data-choose="${mark}"]`)
				.click({ timeout: 2_000 })
				.then(() => true)
				.catch(() => false);
			if (clicked) break;
		}
		if (Date.now() > deadline)
			throw new Error(
				`no option "${optionText}" to click in ${parameterName}: ${JSON.stringify(names)}`,
			);
		await page.waitForTimeout(100);
	}
	await waitForValue(
		container.getByTestId(`parameter-input-${parameterName}`).locator('input').first(),
		optionText,
	);
}

export async function waitForValue(input, value, timeout = 30_000) {
	await input
		.page()
		.waitForFunction(([el, want]) => el.value === want, [await input.elementHandle(), value], {
			timeout,
		});
}

/** The text a select parameter shows. */
export async function selectedText(container, parameterName) {
	return container
		.getByTestId(`parameter-input-${parameterName}`)
		.locator('input')
		.first()
		.inputValue();
}

export function escapeRegExp(text) {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The node panel: opens it from the canvas and picks the DNSFilter app. */
export async function openDnsFilterInNodePanel(page) {
	await page.getByTestId('node-creator-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill('DNSFilter');
	const panel = page.getByTestId('node-creator');
	await panel
		.getByTestId('item-iterator-item')
		.filter({ hasText: /^DNSFilter/ })
		.first()
		.click();
	await panel.getByTestId('node-creator-category-item').first().waitFor();
	return panel;
}

/**
 * Everything on the page a user or a screenshot could see: rendered text, the value of every
 * input, and the HTML (attributes included).
 */
export async function pageTextForLeakScan(page) {
	const [text, values, html] = await Promise.all([
		page.locator('body').innerText(),
		page.$$eval('input, textarea', (els) => els.map((el) => el.value).join('\n')),
		page.content(),
	]);
	return `${text}\n${values}\n${html}`;
}

/** Fails when the key, or its payload or signature part, is anywhere on the page. */
export async function assertKeyNotOnPage(page, key, where) {
	const haystack = await pageTextForLeakScan(page);
	const parts = { key, payload: key.split('.')[1], signature: key.split('.')[2] };
	for (const [name, value] of Object.entries(parts)) {
		if (haystack.includes(value))
			throw new Error(`the API key's ${name} is on the page (${where})`);
	}
}

/** Numbered screenshots in one folder, each after a key scan when a key is given. */
export function screenshotter(dir, { key } = {}) {
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	let n = 0;
	const taken = [];
	return {
		dir,
		taken,
		async shot(page, name, { scanKey = true, ...options } = {}) {
			if (key && scanKey) await assertKeyNotOnPage(page, key, `screenshot ${name}`);
			const file = path.join(dir, `${String(++n).padStart(2, '0')}-${name}.png`);
			await page.screenshot({ path: file, ...options });
			taken.push(file);
			return file;
		},
	};
}

/**
 * A record picker (resourceLocator parameter) in the node panel: its mode selector, its input and
 * the dropdown From List opens. The component is marked `resource-locator-<name>`.
 */
export function recordPicker(page, container, parameterName) {
	const root = container.getByTestId(`resource-locator-${parameterName}`);
	return {
		root,
		input: root.getByTestId('rlc-input').first(),
		issues: root.getByTestId('parameter-issues'),
		async mode(label) {
			await root.getByTestId('rlc-mode-selector').click();
			// n8n spells the standard modes its own way ("From list", "By ID").
			await visibleOptions(page)
				.filter({ hasText: new RegExp(`^${escapeRegExp(label)}$`, 'i') })
				.first()
				.click();
			// The editor stores the new mode (with an empty value) a moment after the click; a value
			// typed before that is shown but not kept, as a user typing at machine speed would find.
			const selector = root.getByTestId('rlc-mode-selector').locator('input').first();
			await page.waitForFunction(
				([el, want]) => el.value.toLowerCase() === want.toLowerCase(),
				[await selector.elementHandle(), label],
				{ timeout: 10_000 },
			);
			await this.input.waitFor();
		},
		dropdown: page.getByTestId('resource-locator-dropdown').filter({ visible: true }).first(),
		items() {
			return page.getByTestId('rlc-item').filter({ visible: true });
		},
		/** Scrolls the open dropdown's list to its end, where the editor asks for the next page. */
		async scrollToEnd() {
			await page.getByTestId('rlc-item').filter({ visible: true }).last().scrollIntoViewIfNeeded();
			await page.evaluate(() => {
				for (const el of document.querySelectorAll(
					'[data-test-id="resource-locator-dropdown"] *',
				)) {
					if (el.scrollHeight > el.clientHeight + 4) {
						el.scrollTop = el.scrollHeight;
						el.dispatchEvent(new Event('scroll'));
					}
				}
			});
		},
	};
}
