// Amsterdam canal houses: a row of narrow gabled houses in brick, ochre and teal above a teal canal with soft reflections.
function house(x, w, h, col, gable) {
  let top = 60 - h;
  brush.fill(col, 225);
  let pts = [[x, 60], [x, top]];
  if (gable === 'step') {
    pts.push([x + w * 0.15, top], [x + w * 0.15, top - 12], [x + w * 0.3, top - 12], [x + w * 0.3, top - 24], [x + w * 0.7, top - 24], [x + w * 0.7, top - 12], [x + w * 0.85, top - 12], [x + w * 0.85, top]);
  } else if (gable === 'point') {
    pts.push([x + w / 2, top - 30]);
  } else {
    pts.push([x + w * 0.2, top - 8], [x + w * 0.35, top - 26], [x + w * 0.65, top - 26], [x + w * 0.8, top - 8]);
  }
  pts.push([x + w, top], [x + w, 60]);
  brush.polygon(pts);
  brush.polygon(pts);
  // windows
  brush.noFill();
  brush.wash('#f5ecd9', 235);
  for (let y = top + 14; y < 40; y += 30) {
    brush.rect(x + w * 0.18, y, w * 0.22, 16);
    brush.rect(x + w * 0.6, y, w * 0.22, 16);
  }
  brush.noWash();
  brush.wash('#3d3a3a', 200);
  brush.rect(x + w * 0.38, 36, w * 0.24, 24);
  brush.noWash();
  brush.set('pen', '#3a2c28', 1.2);
  brush.noFill();
  brush.polygon(pts);
  brush.noStroke();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5f0e6');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // pale sky
  brush.fillBleed(0.35);
  brush.fillTexture(0.4, 0.2);
  brush.fill('#b9d6d6', 150);
  brush.rect(-256, -256, 512, 250);

  brush.fillBleed(0.06);
  brush.fillTexture(0.3, 0.3);
  let cols = ['#b5533c', '#d9a441', '#2f7f7a', '#8f3b35', '#e0c27c', '#3f6f8f', '#c46a3a'];
  let gables = ['step', 'bell', 'point', 'step', 'bell', 'point', 'step'];
  let xs = -250;
  for (let i = 0; i < 7; i++) {
    let w = [66, 70, 64, 78, 66, 70, 72][i];
    let h = [200, 170, 215, 185, 160, 205, 180][i];
    house(xs, w, h, cols[i], gables[i]);
    xs += w;
  }

  // quay
  brush.noFill();
  brush.wash('#6b5a50', 220);
  brush.rect(-256, 60, 512, 14);
  brush.noWash();

  // canal water with reflections of the house colours
  brush.fillBleed(0.35);
  brush.fillTexture(0.55, 0.3);
  brush.fill('#2f8a86', 200);
  brush.rect(-256, 74, 512, 182);
  xs = -250;
  for (let i = 0; i < 7; i++) {
    let w = [66, 70, 64, 78, 66, 70, 72][i];
    brush.fill(cols[i], 110);
    brush.rect(xs + 6, 80, w - 12, 90);
    xs += w;
  }
  // small boat
  brush.fillBleed(0.05);
  brush.fill('#8c3a2e', 240);
  brush.polygon([[-80, 170], [60, 170], [40, 192], [-62, 192]]);
  brush.polygon([[-80, 170], [60, 170], [40, 192], [-62, 192]]);
  brush.set('pen', '#2a1e1a', 1.3);
  brush.noFill();
  brush.polygon([[-80, 170], [60, 170], [40, 192], [-62, 192]]);
  // ripples
  brush.set('marker', '#dff0ec', 1.2);
  for (let i = 0; i < 9; i++) {
    let x = random(-230, 180), y = random(100, 245);
    brush.line(x, y, x + random(30, 70), y);
  }
}
