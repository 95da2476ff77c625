// A hillside town at dawn: pink and coral stucco houses stacked up a slope under a rose sky, with a small church dome.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f8f0ec');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // rose dawn sky
  brush.fillBleed(0.35);
  brush.fillTexture(0.4, 0.2);
  brush.fill('#f2b8c0', 190);
  brush.rect(-256, -256, 512, 300);
  brush.fill('#f8d6c4', 170);
  brush.rect(-256, -80, 512, 120);

  // hill
  brush.fillBleed(0.2);
  brush.fill('#c98f8a', 190);
  brush.polygon([[-256, 256], [-256, 40], [-120, -60], [0, -110], [90, -90], [256, 20], [256, 256]]);

  // houses stacked up the slope: rows of boxes with flat roofs
  brush.fillBleed(0.04);
  brush.fillTexture(0.3, 0.35);
  let cols = ['#e7849a', '#f4a58a', '#f7d3c4', '#d9627a', '#f0b8b0', '#eec3a0'];
  let rows = [[-60, -80, 5, 40], [-140, -20, 7, 44], [-220, 50, 9, 48], [-256, 130, 10, 52]];
  for (let r of rows) {
    let x = r[0];
    for (let i = 0; i < r[2]; i++) {
      let w = r[3] + random(-8, 8);
      let h = random(40, 62);
      if (x > 240) break;
      brush.fill(cols[floor(random(cols.length))], 230);
      brush.rect(x, r[1] - h * 0.5, w, h);
      brush.fill('#b85c6e', 120);
      brush.rect(x + w * 0.65, r[1] - h * 0.5, w * 0.35, h);
      x += w + random(4, 12);
    }
  }
  // church dome on top
  brush.fill('#f7e7dd', 240);
  brush.rect(-5, -150, 40, 50);
  brush.fill('#5f86a8', 230);
  brush.circle(15, -152, 22);
  brush.fill('#f7e7dd', 240);
  brush.rect(-5, -150, 40, 12);

  // windows and doors as small dark marks
  brush.noFill();
  brush.wash('#7a3b4c', 200);
  for (let r of rows) {
    for (let i = 0; i < 10; i++) {
      let x = r[0] + random(0, 420);
      if (x > 240) continue;
      brush.rect(x, r[1] - random(0, 20), 6, 9);
    }
  }
  brush.noWash();
  // pencil cross and contour of hill
  brush.set('pen', '#5b3440', 1.5);
  brush.line(15, -175, 15, -190);
  brush.line(10, -184, 20, -184);
  brush.set('HB', '#8a5560', 1);
  brush.spline([[-256, 40], [-120, -60], [0, -110], [90, -90], [256, 20]], 0.6);
}
