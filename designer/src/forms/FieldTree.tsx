/**
 * The form's fields as a tree: sections hold fields (R31's areas are sections). Reorder by drag and
 * drop (onto a field: before it; onto a section's drop zone: into it) or with the ↑ ↓ buttons,
 * which also work from the keyboard.
 */
import { type DragEvent, useState } from 'react';
import type { Translate } from '../shared/i18n.ts';
import { type FieldModel, moveBy, moveTo, removeField } from './model.ts';

interface Props {
  fields: FieldModel[];
  selected: string | null;
  problems: Set<string>;
  t: Translate;
  onSelect(uid: string): void;
  onChange(fields: FieldModel[]): void;
  onAdd(intoUid: string | null, kind: 'field' | 'section'): void;
}

const DRAG_TYPE = 'application/x-loopdesk-field';

export function FieldTree(props: Props) {
  const { fields, t } = props;
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);

  const drop = (e: DragEvent, target: { beforeUid?: string; intoUid?: string | null }) => {
    e.preventDefault();
    e.stopPropagation();
    const uid = e.dataTransfer.getData(DRAG_TYPE) || dragging;
    setDragging(null);
    setOver(null);
    if (uid) props.onChange(moveTo(fields, uid, target));
  };

  return (
    <div className="ld-tree" data-testid="field-tree">
      <p className="ld-muted">{t('dragHint')}</p>
      <FieldList {...props} list={fields} parent={null} depth={0} dragging={dragging} setDragging={setDragging} over={over} setOver={setOver} drop={drop} />
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for the mouse; the keyboard has the ↑ ↓ buttons */}
      <div
        className={`ld-dropzone ${over === 'root-end' ? 'ld-over' : ''}`}
        data-testid="drop-root"
        onDragOver={(e) => {
          e.preventDefault();
          setOver('root-end');
        }}
        onDragLeave={() => setOver(null)}
        onDrop={(e) => drop(e, { intoUid: null })}
      >
        <button type="button" onClick={() => props.onAdd(null, 'field')} data-testid="add-field">
          + {t('addField')}
        </button>{' '}
        <button type="button" onClick={() => props.onAdd(null, 'section')} data-testid="add-section">
          + {t('addSection')}
        </button>
      </div>
    </div>
  );
}

interface ListProps extends Props {
  list: FieldModel[];
  parent: FieldModel | null;
  depth: number;
  dragging: string | null;
  setDragging(uid: string | null): void;
  over: string | null;
  setOver(uid: string | null): void;
  drop(e: DragEvent, target: { beforeUid?: string; intoUid?: string | null }): void;
}

function FieldList(props: ListProps) {
  const { list, t, fields } = props;
  return (
    <ul className="ld-field-list">
      {list.map((f, i) => (
        <li key={f.uid} className="ld-field-item">
          {/* biome-ignore lint/a11y/noStaticElementInteractions: dragging is for the mouse; the keyboard has the ↑ ↓ ⇤ buttons and the name button selects */}
          <div
            className={[
              'ld-field-row',
              props.selected === f.uid ? 'ld-selected' : '',
              props.over === f.uid ? 'ld-over' : '',
              props.problems.has(f.uid) ? 'ld-has-problem' : '',
              f.kind === 'section' ? 'ld-section-row' : '',
            ].join(' ')}
            draggable
            data-field-name={f.name}
            data-uid={f.uid}
            onDragStart={(e) => {
              e.dataTransfer.setData(DRAG_TYPE, f.uid);
              e.dataTransfer.effectAllowed = 'move';
              props.setDragging(f.uid);
            }}
            onDragEnd={() => props.setDragging(null)}
            onDragOver={(e) => {
              e.preventDefault();
              props.setOver(f.uid);
            }}
            onDragLeave={() => props.setOver(null)}
            onDrop={(e) => props.drop(e, { beforeUid: f.uid })}
          >
            <span className="ld-handle" aria-hidden="true">
              ⋮⋮
            </span>
            <button type="button" className="ld-field-name" onClick={() => props.onSelect(f.uid)}>
              <code>{f.name}</code> <span>{f.titleZh || f.titleEn}</span>
              {f.required ? <span className="ld-required">*</span> : null}
            </button>
            <span className="ld-kind">{t(`kind_${f.kind}`)}</span>
            {f.showIf ? (
              <span className="ld-rule-badge" title={t('showIf')}>
                {t('badgeShowIf')} {f.showIf.field}={String(f.showIf.equals)}
              </span>
            ) : null}
            {f.requiredIf ? (
              <span className="ld-rule-badge" title={t('requiredIf')}>
                {t('badgeRequiredIf')} {f.requiredIf.field}={String(f.requiredIf.equals)}
              </span>
            ) : null}
            <span className="ld-row-buttons">
              <button type="button" aria-label={`${t('moveUp')} ${f.name}`} title={t('moveUp')} disabled={i === 0} onClick={(e) => { e.stopPropagation(); props.onChange(moveBy(fields, f.uid, -1)); }}>
                ↑
              </button>
              <button type="button" aria-label={`${t('moveDown')} ${f.name}`} title={t('moveDown')} disabled={i === list.length - 1} onClick={(e) => { e.stopPropagation(); props.onChange(moveBy(fields, f.uid, 1)); }}>
                ↓
              </button>
              {props.parent ? (
                <button type="button" aria-label={`${t('moveOut')} ${f.name}`} title={t('moveOut')} onClick={(e) => { e.stopPropagation(); props.onChange(moveTo(fields, f.uid, { beforeUid: props.parent?.uid })); }}>
                  ⇤
                </button>
              ) : null}
              <button type="button" aria-label={`${t('remove')} ${f.name}`} title={t('remove')} onClick={(e) => { e.stopPropagation(); props.onChange(removeField(fields, f.uid)); }}>
                ✕
              </button>
            </span>
          </div>
          {f.kind === 'section' ? (
            <div className="ld-section-body">
              <FieldList {...props} list={f.children} parent={f} depth={props.depth + 1} />
              {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for the mouse; the keyboard has "add into section" and ⇤ */}
              <div
                className={`ld-dropzone ${props.over === `into-${f.uid}` ? 'ld-over' : ''}`}
                data-testid={`drop-into-${f.name}`}
                onDragOver={(e) => {
                  e.preventDefault();
                  e.stopPropagation();
                  props.setOver(`into-${f.uid}`);
                }}
                onDragLeave={() => props.setOver(null)}
                onDrop={(e) => props.drop(e, { intoUid: f.uid })}
              >
                <button type="button" onClick={() => props.onAdd(f.uid, 'field')}>
                  + {t('addInto')}
                </button>
              </div>
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
