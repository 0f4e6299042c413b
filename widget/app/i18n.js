// Shopper-facing strings of the widget, English and French. `t(key, vars)` fills {name}s.

const STRINGS = {
  en: {
    title: 'Personalize',
    close: 'Close',
    view2d: '2D',
    view3d: '3D',
    soon: 'Coming soon',
    previewLabel: 'Preview of your personalized {product}',
    liveLabel: 'Live sketch of your design',
    live: 'Live preview',
    updating: 'Updating preview…',
    updated: 'Preview updated',
    previewFailed: 'The preview could not be updated.',
    yourText: 'Your text',
    placeholder: 'Type your text',
    chars: '{n} of {max} characters',
    charsFull: 'Character limit reached',
    font: 'Font',
    finish: 'Finish',
    color: 'Colour',
    choice: 'Option',
    print: 'Printed',
    gold: 'Gold',
    silver: 'Silver',
    'rose-gold': 'Rose gold',
    'black-anodized': 'Black anodized',
    'wood-burn': 'Wood burn',
    'glass-etch': 'Glass etch',
    photo: 'Photo',
    upload: 'Upload a photo',
    replace: 'Replace photo',
    remove: 'Remove photo',
    uploading: 'Uploading…',
    consent: 'I have the right to use this photo.',
    madeByPattern: 'Drawn by Luneo’s pattern generator from your words: abstract patterns, not AI.',
    madeByAi: 'Drawn by AI (OpenAI) from your description.',
    consentNeeded: 'Please confirm you have the right to use this photo.',
    cropLabel: 'Photo position: drag, or use the arrow keys',
    cropHelp: 'Drag the photo or use the arrow keys to place it; zoom with the slider.',
    zoom: 'Zoom',
    good: 'Good print quality: {dpi} dpi (this product needs {min}).',
    low: 'Low resolution ({dpi} dpi): the print may look soft.',
    too_low: 'Too low to print: {dpi} dpi, this product needs {min} dpi. Zoom out or choose a larger photo.',
    ai: 'Create artwork with AI',
    pattern: 'Pattern from your words',
    aiPlaceholder: 'Describe the artwork, e.g. a watercolour fox',
    generate: 'Generate',
    generating: 'Generating…',
    queued: 'Waiting for a free artist…',
    rendering: 'Drawing your artwork…',
    aiDone: 'Artwork ready',
    aiFailed: 'The artwork could not be made. Try another description.',
    addOn: 'Personalization',
    included: 'Included',
    addToCart: 'Add to cart',
    adding: 'Adding to cart…',
    added: 'Added to cart',
    nothing: 'Add your personalization first.',
    error: 'Something went wrong. Please try again.',
    unavailable: 'Personalization is not available for this product right now.',
    stillBuyable: 'You can still buy it as it is from the product page.',
    uploaded: 'uploaded',
    summaryPhoto: 'Photo',
    summaryAi: 'Artwork',
    propSummary: 'Personalization',
    propPreview: 'Preview',
    propEdit: 'Edit design',
    save: 'Save for later',
    saving: 'Saving…',
    savedTitle: 'Your design is saved',
    savedNote: 'Open this link on this shop to come back to your design, or to edit it from your cart. It works until {date}.',
    savedLink: 'Link to your design',
    copyLink: 'Copy link',
    copied: 'Link copied',
    done: 'Done',
    reopened: 'Your saved design is back. Edit it, then add it to your cart.',
    reopenGone: 'This saved design is no longer available. Start a new one.',
    plus: '+{price}',
    arrange: 'Arrange',
    arrangeHelp: 'Drag to move, drag the corner or pinch to resize, drag the round handle to turn. Keys: arrows move, + and − resize, [ and ] turn, C centres, Ctrl+Z undoes.',
    centre: 'Centre',
    undo: 'Undo',
    resetPlace: 'Reset',
    layerBox: 'Layer {n}: move, resize and turn within its place',
    confirmTitle: 'Your personalization',
    confirmTotal: 'Personalization total',
    confirmEach: 'per item',
    confirmUnits: 'This shop charges personalization in add-on units of {unit}: {units} × {unit} = {price}, rounded up from {exact}.',
    confirmUnitsExact: 'This shop charges personalization in add-on units of {unit}: {units} × {unit} = {price}.',
    confirmExact: 'Added to your cart at exactly this price, on the same line as the product.',
    confirmPage: 'Added to your cart at this price.',
    confirmAdd: 'Confirm and add to cart',
    back: 'Back to editing',
    noFee: 'No personalization charge.',
  },
  fr: {
    title: 'Personnaliser',
    close: 'Fermer',
    view2d: '2D',
    view3d: '3D',
    soon: 'Bientôt disponible',
    previewLabel: 'Aperçu de votre {product} personnalisé',
    liveLabel: 'Esquisse en direct de votre création',
    live: 'Aperçu en direct',
    updating: 'Mise à jour de l’aperçu…',
    updated: 'Aperçu mis à jour',
    previewFailed: 'L’aperçu n’a pas pu être mis à jour.',
    yourText: 'Votre texte',
    placeholder: 'Saisissez votre texte',
    chars: '{n} caractères sur {max}',
    charsFull: 'Nombre maximal de caractères atteint',
    font: 'Police',
    finish: 'Finition',
    color: 'Couleur',
    choice: 'Option',
    print: 'Impression',
    gold: 'Or',
    silver: 'Argent',
    'rose-gold': 'Or rose',
    'black-anodized': 'Anodisé noir',
    'wood-burn': 'Pyrogravure',
    'glass-etch': 'Gravure sur verre',
    photo: 'Photo',
    upload: 'Importer une photo',
    replace: 'Remplacer la photo',
    remove: 'Retirer la photo',
    uploading: 'Importation…',
    consent: 'J’ai le droit d’utiliser cette photo.',
    madeByPattern: 'Dessiné par le générateur de motifs de Luneo à partir de vos mots : des motifs abstraits, pas de l’IA.',
    madeByAi: 'Dessiné par une IA (OpenAI) à partir de votre description.',
    consentNeeded: 'Confirmez que vous avez le droit d’utiliser cette photo.',
    cropLabel: 'Position de la photo : faites glisser ou utilisez les flèches',
    cropHelp: 'Faites glisser la photo ou utilisez les flèches pour la placer ; zoomez avec le curseur.',
    zoom: 'Zoom',
    good: 'Bonne qualité d’impression : {dpi} dpi (ce produit demande {min}).',
    low: 'Résolution faible ({dpi} dpi) : l’impression risque d’être floue.',
    too_low: 'Trop faible pour l’impression : {dpi} dpi, ce produit demande {min} dpi. Dézoomez ou choisissez une photo plus grande.',
    ai: 'Créer un motif avec l’IA',
    pattern: 'Motif à partir de vos mots',
    aiPlaceholder: 'Décrivez le motif, par ex. un renard à l’aquarelle',
    generate: 'Générer',
    generating: 'Génération…',
    queued: 'En attente d’un artiste disponible…',
    rendering: 'Dessin de votre motif…',
    aiDone: 'Motif prêt',
    aiFailed: 'Le motif n’a pas pu être créé. Essayez une autre description.',
    addOn: 'Personnalisation',
    included: 'Inclus',
    addToCart: 'Ajouter au panier',
    confirmTitle: 'Votre personnalisation',
    confirmTotal: 'Total de la personnalisation',
    confirmEach: 'par article',
    confirmUnits: 'Cette boutique facture la personnalisation par unités de {unit} : {units} × {unit} = {price}, arrondi au-dessus de {exact}.',
    confirmUnitsExact: 'Cette boutique facture la personnalisation par unités de {unit} : {units} × {unit} = {price}.',
    confirmExact: 'Ajouté au panier exactement à ce prix, sur la même ligne que le produit.',
    confirmPage: 'Ajouté au panier à ce prix.',
    confirmAdd: 'Confirmer et ajouter au panier',
    back: 'Revenir à la personnalisation',
    noFee: 'Personnalisation sans supplément.',
    adding: 'Ajout au panier…',
    added: 'Ajouté au panier',
    nothing: 'Ajoutez d’abord votre personnalisation.',
    error: 'Une erreur est survenue. Veuillez réessayer.',
    unavailable: 'La personnalisation n’est pas disponible pour ce produit pour le moment.',
    stillBuyable: 'Vous pouvez toujours l’acheter tel quel depuis la page du produit.',
    uploaded: 'importée',
    summaryPhoto: 'Photo',
    summaryAi: 'Motif',
    propSummary: 'Personnalisation',
    propPreview: 'Aperçu',
    propEdit: 'Modifier le design',
    save: 'Enregistrer pour plus tard',
    saving: 'Enregistrement…',
    savedTitle: 'Votre design est enregistré',
    savedNote: 'Ouvrez ce lien sur cette boutique pour retrouver votre design, ou pour le modifier depuis votre panier. Il fonctionne jusqu’au {date}.',
    savedLink: 'Lien vers votre design',
    copyLink: 'Copier le lien',
    copied: 'Lien copié',
    done: 'Terminé',
    reopened: 'Votre design enregistré est de retour. Modifiez-le, puis ajoutez-le au panier.',
    reopenGone: 'Ce design enregistré n’est plus disponible. Commencez-en un nouveau.',
    plus: '+{price}',
    arrange: 'Disposer',
    arrangeHelp: 'Glissez pour déplacer, tirez le coin ou pincez pour redimensionner, tirez la poignée ronde pour tourner. Clavier : flèches pour déplacer, + et − pour la taille, [ et ] pour tourner, C pour centrer, Ctrl+Z pour annuler.',
    centre: 'Centrer',
    undo: 'Annuler',
    resetPlace: 'Réinitialiser',
    layerBox: 'Calque {n} : déplacer, redimensionner et tourner dans son emplacement',
  },
};

let lang = 'en';
let labelLang = 'en';
let numberLocale = 'en-US';

/** Choose the language ('fr…' gives French, anything else English). `labels` is the
 * storefront's own language code, for the merchant's per-language labels (any language). */
export function setLocale(locale, labels, shopper) {
  lang = String(locale || '').toLowerCase().startsWith('fr') ? 'fr' : 'en';
  labelLang = /^[a-z]{2}$/.test(String(labels || '')) ? labels : lang;
  // prices in the shopper's own format (a German shopper reads "14,50 $"), even where the
  // widget's own strings fall back to English
  const tag = String(shopper || '');
  numberLocale = lang === 'fr' ? 'fr-FR' : 'en-US';
  if (/^[a-z]{2}(-[a-z0-9]{2,8})?$/.test(tag) && tag !== 'en' && tag !== 'fr') {
    try {
      numberLocale = Intl.NumberFormat.supportedLocalesOf([tag]).length ? tag : numberLocale;
    } catch {
      /* an invalid tag keeps the widget's language */
    }
  }
  document.documentElement.lang = lang;
}

export function locale() {
  return lang;
}

/** The merchant's label in the storefront's language (`labels: {fr: …}`), else `fallback`. */
export function merchantLabel(entry, fallback) {
  const labels = entry && entry.labels;
  const own = labels && typeof labels === 'object' ? labels[labelLang] : null;
  return typeof own === 'string' && own.trim() ? own : fallback;
}

/** The string for `key` in the current language, with {name} placeholders filled. */
export function t(key, vars) {
  const table = STRINGS[lang];
  const text = key in table ? table[key] : STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars && name in vars ? String(vars[name]) : ''));
}

/** A price in the shop's currency, formatted for the shopper's language. */
export function money(cents, currency) {
  try {
    return new Intl.NumberFormat(numberLocale, {
      style: 'currency',
      currency: currency || 'USD',
    }).format(cents / 100);
  } catch {
    return (cents / 100).toFixed(2);
  }
}
