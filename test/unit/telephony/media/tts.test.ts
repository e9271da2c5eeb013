import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EspeakTts, espeakVoiceFor, POLLY_VOICES, toEspeakSsml, TtsError } from '../../../../src/telephony/media/tts.js';

describe('espeakVoiceFor', () => {
  it('maps Polly voices to an espeak-ng language and a variant of their gender', () => {
    const cases: [string, string][] = [
      ['Joanna', 'en-us+f3'],
      ['Salli', 'en-us+f2'],
      ['Matthew', 'en-us'],
      ['Joey', 'en-us+m3'],
      ['Amy', 'en-gb+f3'],
      ['Brian', 'en-gb'],
      ['Celine', 'fr-fr+f3'],
      ['Hans', 'de'],
      ['Lucia', 'es+f2'],
      ['Mia', 'es-419+f3'],
      ['Vitoria', 'pt-br+f2'],
      ['Takumi', 'ja'],
      ['Nicole', 'en-gb+f3'],
    ];
    for (const [voice, expected] of cases) assert.equal(espeakVoiceFor({ voice }), expected, voice);
  });

  it('ignores case and accents in voice names', () => {
    assert.equal(espeakVoiceFor({ voice: 'Céline' }), 'fr-fr+f3');
    assert.equal(espeakVoiceFor({ voice: 'JOANNA' }), 'en-us+f3');
    assert.equal(espeakVoiceFor({ voice: 'lucía' }), 'es+f2');
  });

  it('lets the language code choose the language, keeping the voice variant', () => {
    assert.equal(espeakVoiceFor({ voice: 'Aditi', languageCode: 'hi-IN' }), 'hi+f3');
    assert.equal(espeakVoiceFor({ voice: 'Joanna', languageCode: 'en-GB' }), 'en-gb+f3');
  });

  it('falls back to the language code, then its primary language, then American English', () => {
    assert.equal(espeakVoiceFor({ languageCode: 'de-DE' }), 'de');
    assert.equal(espeakVoiceFor({ languageCode: 'es-MX' }), 'es-419');
    assert.equal(espeakVoiceFor({ languageCode: 'it-IT' }), 'it');
    assert.equal(espeakVoiceFor({ languageCode: 'pt-BR' }), 'pt-br');
    assert.equal(espeakVoiceFor({ languageCode: 'ja-JP' }), 'ja');
    assert.equal(espeakVoiceFor({ languageCode: 'de-LU' }), 'de');
    assert.equal(espeakVoiceFor({ languageCode: 'EN-us' }), 'en-us');
    assert.equal(espeakVoiceFor({ voice: 'Nobody', languageCode: 'fr-FR' }), 'fr-fr');
    assert.equal(espeakVoiceFor({ voice: 'Nobody' }), 'en-us');
    assert.equal(espeakVoiceFor({ languageCode: 'xx-YY' }), 'en-us');
    assert.equal(espeakVoiceFor({}), 'en-us');
  });

  it('knows the Polly voices by their ASCII ids', () => {
    for (const name of ['joanna', 'matthew', 'amy', 'brian', 'celine', 'hans', 'lucia', 'mia', 'camila', 'mizuki']) {
      assert.ok(POLLY_VOICES.has(name), name);
    }
  });
});

describe('toEspeakSsml', () => {
  it('keeps the elements espeak-ng reads', () => {
    const ssml =
      '<speak><p><s>Hello <break time="500ms"/><prosody rate="slow" pitch="+10%">there</prosody>' +
      '<emphasis level="strong">now</emphasis> <say-as interpret-as="characters">ABC</say-as>' +
      '<sub alias="World Wide Web">WWW</sub><mark name="m1"/></s></p></speak>';
    assert.equal(toEspeakSsml(ssml), ssml);
  });

  it("removes Polly's own tags and those espeak-ng would mishandle, keeping their text", () => {
    assert.equal(
      toEspeakSsml(
        '<speak><amazon:effect name="whispered">Hello</amazon:effect> <lang xml:lang="fr-FR">monde</lang>' +
          '<amazon:breath duration="long"/> <phoneme alphabet="ipa" ph="təˈmeɪtoʊ">tomato</phoneme> ' +
          '<w role="amazon:VB">read</w> <amazon:domain name="news">news</amazon:domain> <audio src="x.mp3">beep</audio></speak>',
      ),
      '<speak>Hello monde tomato read news beep</speak>',
    );
  });

  it('drops xml:lang, declarations and comments, and keeps entities and odd attribute values', () => {
    assert.equal(
      toEspeakSsml('<?xml version="1.0"?>\n<!-- note --><speak xml:lang="en-US"><s xml:lang=\'en-GB\'>Tom &amp; Jerry</s><mark name="a>b"/></speak>'),
      '\n<speak><s>Tom &amp; Jerry</s><mark name="a>b"/></speak>',
    );
  });
});

describe('EspeakTts (without running it)', () => {
  it('wants exactly one of text and SSML', async () => {
    const tts = new EspeakTts({ command: '/nonexistent' });
    await assert.rejects(tts.render({}), TypeError);
    await assert.rejects(tts.render({ text: 'a', ssml: '<speak>a</speak>' }), TypeError);
  });

  it('refuses input past its size limit before starting a process', async () => {
    const tts = new EspeakTts({ command: '/nonexistent', maxInputChars: 10 });
    await assert.rejects(tts.render({ text: 'x'.repeat(11) }), (error: unknown) => {
      assert.ok(error instanceof TtsError);
      assert.equal(error.message, 'prompt is 11 characters; the limit is 10');
      return true;
    });
  });

  it('refuses limits that are not positive integers', () => {
    for (const options of [{ maxConcurrent: 0 }, { timeoutMs: -1 }, { maxInputChars: 1.5 }, { maxAudioSeconds: Number.NaN }]) {
      assert.throws(() => new EspeakTts(options), RangeError);
    }
    assert.doesNotThrow(() => new EspeakTts({ command: undefined, maxConcurrent: undefined }));
  });
});
