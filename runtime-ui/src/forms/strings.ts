/**
 * The texts @rjsf itself writes (buttons, the error list heading) and the few this folder adds,
 * in both UI languages. Field texts come from the schema (`localizeSchema`), never from here.
 */
import { englishStringTranslator, replaceStringParameters, TranslatableString } from '@rjsf/utils';
import type { FormLang } from '../../../engine/forms/types.ts';

const ZH: Partial<Record<TranslatableString, string>> = {
  [TranslatableString.ArrayItemTitle]: '条目',
  [TranslatableString.MissingItems]: '缺少数组项定义',
  [TranslatableString.EmptyArray]: '暂无条目，点击下方按钮添加。',
  [TranslatableString.YesLabel]: '是',
  [TranslatableString.NoLabel]: '否',
  [TranslatableString.CloseLabel]: '关闭',
  [TranslatableString.ErrorsLabel]: '请修正以下问题',
  [TranslatableString.NewStringDefault]: '新值',
  [TranslatableString.AddButton]: '添加',
  [TranslatableString.AddItemButton]: '添加一项',
  [TranslatableString.CopyButton]: '复制',
  [TranslatableString.MoveDownButton]: '下移',
  [TranslatableString.MoveUpButton]: '上移',
  [TranslatableString.RemoveButton]: '删除',
  [TranslatableString.NowLabel]: '现在',
  [TranslatableString.ClearLabel]: '清除',
  [TranslatableString.AriaDateLabel]: '选择日期',
  [TranslatableString.DecrementAriaLabel]: '减 1',
  [TranslatableString.IncrementAriaLabel]: '加 1',
  [TranslatableString.OptionalObjectAdd]: '填写此可选项',
  [TranslatableString.OptionalObjectRemove]: '清空此可选项',
  [TranslatableString.OptionalObjectEmptyMsg]: '此可选项未填写',
  [TranslatableString.Type]: '类型',
  [TranslatableString.Value]: '值',
  [TranslatableString.ClearButton]: '清空输入',
  [TranslatableString.OptionPrefix]: '选项 %1',
  [TranslatableString.TitleOptionPrefix]: '%1 选项 %2',
  [TranslatableString.KeyLabel]: '%1 键',
  [TranslatableString.DeprecatedLabel]: '%1（已弃用）',
  [TranslatableString.UnsupportedField]: '不支持的字段定义。',
  [TranslatableString.UnsupportedFieldWithId]: '字段 `%1` 的定义不受支持。',
};

/** @rjsf's `translateString` for a UI language (English is @rjsf's own). */
export function translatorFor(lang: FormLang): (text: TranslatableString, params?: string[]) => string {
  if (lang === 'en') return englishStringTranslator;
  return (text, params) => replaceStringParameters(ZH[text] ?? text, params);
}

const OWN = {
  submit: { 'zh-CN': '提交', en: 'Submit' },
  reminders: { 'zh-CN': '提醒', en: 'Reminders' },
  reminder: { 'zh-CN': '提醒', en: 'Reminder' },
  wholeForm: { 'zh-CN': '整张表单', en: 'Whole form' },
} satisfies Record<string, Record<FormLang, string>>;

export function ownText(key: keyof typeof OWN, lang: FormLang): string {
  return OWN[key][lang];
}
